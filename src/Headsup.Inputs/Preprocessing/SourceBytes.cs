using System.Buffers;
using Headsup.Dicom;
using Headsup.Series.Sources;

namespace Headsup.Inputs.Preprocessing;

/// <summary>Reads a whole source into a pooled buffer (one read for a plain file), within the reader's length limit.</summary>
internal static class SourceBytes
{
    /// <summary>Reads <paramref name="source"/>; the caller returns the buffer to <see cref="ArrayPool{T}.Shared"/>.</summary>
    /// <exception cref="IOException">The source cannot be read.</exception>
    /// <exception cref="DicomException">The source is an archive entry that changed or breaks a limit, or it is too long.</exception>
    public static byte[] Read(DicomSource source, out int length)
    {
        long limit = Math.Min(DicomReadOptions.Default.MaxFileBytes, Array.MaxLength);
        using var stream = source.OpenRead();
        long expected = stream.CanSeek ? stream.Length : source.DeclaredLength ?? 0;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(expected + 1, 4096, limit));
        try
        {
            length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        throw new DicomParseException(source.Location, length, null, $"stream is longer than the limit of {DicomReadOptions.Default.MaxFileBytes} bytes");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    return buffer;
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
