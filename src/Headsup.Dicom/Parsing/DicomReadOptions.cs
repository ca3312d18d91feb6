namespace Headsup.Dicom;

/// <summary>Limits and switches for reading. Defaults suit CT slices and studies.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Default options.</summary>
    public static readonly DicomReadOptions Default = new();

    /// <summary>Files larger than this are refused before reading (bytes).</summary>
    public long MaxFileBytes { get; init; } = 2L * 1024 * 1024 * 1024 - 1;

    /// <summary>The most bytes a deflated data set may inflate to (guards against decompression bombs).</summary>
    public long MaxInflatedBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The deepest sequence nesting accepted.</summary>
    public int MaxSequenceDepth { get; init; } = 32;

    /// <summary>Stop at the top-level Pixel Data element (headers only, faster for scanning folders); see <see cref="DicomFile.StoppedAtPixelData"/>.</summary>
    public bool StopAtPixelData { get; init; }
}
