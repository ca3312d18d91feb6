namespace Headsup.Inputs;

/// <summary>Tells DICOM, PNG and JPEG apart by their first bytes (signature), falling back to the extension for DICOM without a preamble.</summary>
public static class FormatDetector
{
    /// <summary>The format of a file, or null when it is none of the three.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ImageFormat? Detect(string path)
    {
        Span<byte> head = stackalloc byte[132];
        int length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None))
        {
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        return Detect(head[..length], path);
    }

    /// <summary>The format of the bytes that start a file named <paramref name="path"/>, or null.</summary>
    public static ImageFormat? Detect(ReadOnlySpan<byte> head, string path)
    {
        if (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual("DICM"u8))
        {
            return ImageFormat.Dicom;
        }

        // A bare data set (no preamble) starts with a group 0x0008 tag in little endian; accept it for .dcm and no-extension files.
        var extension = Path.GetExtension(path);
        bool dicomName = extension.Length == 0 || extension.Equals(".dcm", StringComparison.OrdinalIgnoreCase) || extension.Equals(".dicom", StringComparison.OrdinalIgnoreCase);
        if (dicomName && head.Length >= 8 && head[0] == 0x08 && head[1] == 0x00)
        {
            return ImageFormat.Dicom;
        }

        return null;
    }
}
