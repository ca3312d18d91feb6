namespace Headsup.Dicom.Pixels;

/// <summary>The Image Pixel module attributes that describe how samples are laid out (PS3.3 C.7.6.3).</summary>
public readonly record struct PixelDataInfo(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int HighBit,
    int PixelRepresentation,
    int PlanarConfiguration,
    int NumberOfFrames,
    string PhotometricInterpretation)
{
    /// <summary>Largest decoded frame accepted (bytes); bigger headers are treated as corrupt.</summary>
    public const long MaxFrameBytes = 256L * 1024 * 1024;

    /// <summary>Bytes per sample as stored natively (1, 2 or 4).</summary>
    public int BytesPerSample => BitsAllocated / 8;

    /// <summary>True when samples are signed (two's complement).</summary>
    public bool IsSigned => PixelRepresentation == 1;

    /// <summary>Bytes of one decoded frame: rows × columns × samples × bytes per sample.</summary>
    public long FrameBytes => (long)Rows * Columns * SamplesPerPixel * BytesPerSample;

    /// <summary>Reads and validates the module from a data set.</summary>
    /// <exception cref="DicomPixelDataException">An attribute is missing or out of range.</exception>
    public static PixelDataInfo FromDataset(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        string source = dataset.SourceName;
        int rows = Required(dataset, DicomTags.Rows);
        int columns = Required(dataset, DicomTags.Columns);
        int bitsAllocated = Required(dataset, DicomTags.BitsAllocated);
        int samples = dataset.TryGetInt32(DicomTags.SamplesPerPixel, out var s) ? s : 1;
        int bitsStored = dataset.TryGetInt32(DicomTags.BitsStored, out var bs) ? bs : bitsAllocated;
        int highBit = dataset.TryGetInt32(DicomTags.HighBit, out var hb) ? hb : bitsStored - 1;
        int representation = dataset.TryGetInt32(DicomTags.PixelRepresentation, out var pr) ? pr : 0;
        int planar = dataset.TryGetInt32(DicomTags.PlanarConfiguration, out var pc) ? pc : 0;
        int frames = dataset.TryGetInt32(DicomTags.NumberOfFrames, out var nf) ? nf : 1;
        string photometric = dataset.GetStringOrDefault(DicomTags.PhotometricInterpretation, samples == 1 ? "MONOCHROME2" : "RGB");

        if (rows <= 0 || columns <= 0)
        {
            throw new DicomPixelDataException(source, $"Rows {rows} × Columns {columns} is not a valid image size");
        }

        if (bitsAllocated is not (8 or 16 or 32))
        {
            throw new DicomPixelDataException(source, $"Bits Allocated {bitsAllocated} is not supported (8, 16 or 32)");
        }

        if (bitsStored < 1 || bitsStored > bitsAllocated)
        {
            throw new DicomPixelDataException(source, $"Bits Stored {bitsStored} is outside 1..{bitsAllocated} (Bits Allocated)");
        }

        if (highBit < 0 || highBit >= bitsAllocated)
        {
            throw new DicomPixelDataException(source, $"High Bit {highBit} is outside 0..{bitsAllocated - 1} (Bits Allocated − 1)");
        }

        if (samples is not (1 or 3))
        {
            throw new DicomPixelDataException(source, $"Samples per Pixel {samples} is not supported (1 or 3)");
        }

        if (representation is not (0 or 1))
        {
            throw new DicomPixelDataException(source, $"Pixel Representation {representation} is not 0 or 1");
        }

        if (samples > 1 && planar is not (0 or 1))
        {
            throw new DicomPixelDataException(source, $"Planar Configuration {planar} is not 0 or 1");
        }

        if (frames < 1)
        {
            throw new DicomPixelDataException(source, $"Number of Frames {frames} is not positive");
        }

        var info = new PixelDataInfo(rows, columns, samples, bitsAllocated, bitsStored, highBit, representation, planar, frames, photometric);
        if (info.FrameBytes > MaxFrameBytes)
        {
            throw new DicomPixelDataException(source, $"one frame of {rows}×{columns}×{samples} at {bitsAllocated} bits would need {info.FrameBytes} bytes, more than the limit of {MaxFrameBytes}");
        }

        return info;
    }

    private static int Required(DicomDataset dataset, DicomTag tag) =>
        dataset.TryGetInt32(tag, out var value)
            ? value
            : throw new DicomPixelDataException(dataset.SourceName, $"required attribute {DicomDictionary.Keyword(tag)} {tag} is missing or malformed");
}
