namespace Headsup.Inputs;

/// <summary>How a slice image is stored.</summary>
public enum ImageFormat
{
    /// <summary>A DICOM file (real Hounsfield units after rescale).</summary>
    Dicom,

    /// <summary>A PNG image (display values 0..255, no HU).</summary>
    Png,

    /// <summary>A JPEG image (display values 0..255, no HU).</summary>
    Jpeg,
}
