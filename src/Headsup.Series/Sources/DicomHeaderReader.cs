using Headsup.Dicom;

namespace Headsup.Series.Sources;

/// <summary>
/// Reads only the header of an instance: the bytes up to the top-level Pixel Data element. It parses a prefix first
/// and keeps it when the reader stopped at Pixel Data (<see cref="DicomFile.StoppedAtPixelData"/>); otherwise (large
/// headers, deflated data sets, no pixel data) it reads the whole instance within <see cref="DicomReadOptions.MaxFileBytes"/>.
/// </summary>
public static class DicomHeaderReader
{
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

        if (TryParsePrefix(prefix, location, options, out var file))
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
    /// Parses the prefix; it is the whole header when the reader says it stopped at Pixel Data. A prefix cut inside an
    /// element (a parse error) or before Pixel Data (not stopped) needs the whole instance.
    /// </summary>
    private static bool TryParsePrefix(byte[] prefix, string location, DicomReadOptions options, out DicomFile file)
    {
        try
        {
            file = DicomFileReader.Parse(prefix, location, options);
            return file.StoppedAtPixelData;
        }
        catch (DicomParseException)
        {
            // The prefix ends inside an element (or a deflated stream): the caller reads the whole instance.
            file = null!;
            return false;
        }
    }
}
