using Headsup.Dicom;

namespace Headsup.Series.Sources;

/// <summary>
/// Reads only the header of an instance: the bytes up to the top-level Pixel Data element. It reads a prefix first
/// and parses it when the Pixel Data tag is found there at an element boundary; otherwise (large headers, deflated
/// data sets, no pixel data) it reads the whole instance within <see cref="DicomReadOptions.MaxFileBytes"/>.
/// </summary>
public static class DicomHeaderReader
{
    private static readonly byte[] s_pixelDataLittleEndian = [0xE0, 0x7F, 0x10, 0x00];
    private static readonly byte[] s_pixelDataBigEndian = [0x7F, 0xE0, 0x00, 0x10];

    /// <summary>Reads the header of a source.</summary>
    /// <exception cref="DicomParseException">The bytes are not well-formed DICOM or are too long.</exception>
    /// <exception cref="IOException">The source cannot be read.</exception>
    public static DicomFile Read(DicomSource source, int prefixBytes = 64 * 1024, long maxFileBytes = 512L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var stream = source.OpenRead();
        return Read(stream, source.Location, prefixBytes, maxFileBytes);
    }

    /// <summary>Reads the header from a stream positioned at the start of the instance.</summary>
    /// <exception cref="DicomParseException">The bytes are not well-formed DICOM or are too long.</exception>
    public static DicomFile Read(Stream stream, string location, int prefixBytes = 64 * 1024, long maxFileBytes = 512L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixBytes, 1024);
        var options = new DicomReadOptions { StopAtPixelData = true, MaxFileBytes = maxFileBytes };
        int capacity = (int)Math.Min(prefixBytes, maxFileBytes);
        var prefix = new byte[capacity];
        int length = stream.ReadAtLeast(prefix, capacity, throwOnEndOfStream: false);
        if (length < capacity)
        {
            return DicomFileReader.Parse(prefix.AsMemory(0, length), location, options);
        }

        if (TryParseUpToPixelData(prefix, location, options, out var file))
        {
            return file;
        }

        var whole = new MemoryStream();
        whole.Write(prefix);
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (whole.Length + read > maxFileBytes)
            {
                throw new DicomParseException(location, whole.Length, null, $"instance is longer than the limit of {maxFileBytes} bytes");
            }

            whole.Write(chunk, 0, read);
        }

        return DicomFileReader.Parse(whole.GetBuffer().AsMemory(0, (int)whole.Length), location, options);
    }

    /// <summary>
    /// Accepts a candidate Pixel Data tag at offset <c>at</c> only when it is a top-level element boundary: the bytes
    /// before it parse completely, and the bytes up to just after the tag parse to the same elements (the parser met
    /// the tag and stopped). A candidate inside some other value fails one of the two parses.
    /// </summary>
    private static bool TryParseUpToPixelData(byte[] prefix, string location, DicomReadOptions options, out DicomFile file)
    {
        foreach (var pattern in (ReadOnlySpan<byte[]>)[s_pixelDataLittleEndian, s_pixelDataBigEndian])
        {
            int start = 0;
            while (true)
            {
                int found = prefix.AsSpan(start).IndexOf(pattern);
                if (found < 0)
                {
                    break;
                }

                int at = start + found;
                start = at + 1;
                if (at + 8 > prefix.Length)
                {
                    break;
                }

                if (TryParse(prefix.AsMemory(0, at), location, options, out var before) &&
                    TryParse(prefix.AsMemory(0, at + 8), location, options, out var through) &&
                    before.Dataset.Count == through.Dataset.Count &&
                    !through.TransferSyntax.IsDeflated)
                {
                    file = through;
                    return true;
                }
            }
        }

        file = null!;
        return false;
    }

    private static bool TryParse(ReadOnlyMemory<byte> bytes, string location, DicomReadOptions options, out DicomFile file)
    {
        try
        {
            file = DicomFileReader.Parse(bytes, location, options);
            return true;
        }
        catch (DicomException)
        {
            // Not a top-level element boundary: the caller tries the next candidate or reads the whole instance.
            file = null!;
            return false;
        }
    }
}
