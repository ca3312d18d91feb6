using Headsup.Inputs;

namespace Headsup.Datasets;

/// <summary>Reads a labelled sample's slice image with <see cref="SliceImageLoader"/>.</summary>
public static class SampleImages
{
    /// <summary>Loads a sample (frame <see cref="LabeledSample.Frame"/> for DICOM).</summary>
    /// <exception cref="SliceImageException">The file is missing, corrupt, not an image or too large.</exception>
    public static SliceImage Load(LabeledSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return SliceImageLoader.Load(sample.File, sample.Format, sample.Frame);
    }
}
