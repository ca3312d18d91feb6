namespace Headsup.Inputs;

/// <summary>What a <see cref="SliceImage"/>'s values mean.</summary>
public enum SliceIntensity
{
    /// <summary>Hounsfield units (from DICOM).</summary>
    Hu,

    /// <summary>Display values 0..255 of an already windowed 8-bit image (PNG/JPEG); no HU.</summary>
    Display,
}

/// <summary>One gray slice as floats, row-major.</summary>
public sealed class SliceImage
{
    /// <summary>Creates the image; <paramref name="pixels"/> must hold width × height values.</summary>
    public SliceImage(float[] pixels, int width, int height, SliceIntensity intensity, string? sourceFile = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"{pixels.Length} values do not make a {width}×{height} image", nameof(pixels));
        }

        Pixels = pixels;
        Width = width;
        Height = height;
        Intensity = intensity;
        SourceFile = sourceFile;
    }

    /// <summary>Values, row-major (HU or 0..255).</summary>
    public float[] Pixels { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>HU or display values.</summary>
    public SliceIntensity Intensity { get; }

    /// <summary>The file it was read from, when any.</summary>
    public string? SourceFile { get; }

    /// <summary>Pixel size in mm (DICOM Pixel Spacing, square assumed), when known.</summary>
    public double? PixelSpacingMm { get; init; }
}
