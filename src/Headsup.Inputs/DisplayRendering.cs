using Headsup.Imaging.Windowing;

namespace Headsup.Inputs;

/// <summary>
/// Renders a HU slice as the 8-bit display image an export at a given window carries: round(255 × window(HU)), no HU
/// left. Used to score real DICOM slices as they would arrive as display PNGs (the format of the Kaggle images and of
/// many public sets), so the gap between the two formats can be measured on the same anatomy.
/// </summary>
public static class DisplayRendering
{
    /// <summary>The display image of <paramref name="image"/> at <paramref name="window"/>; a display image is returned as it is.</summary>
    public static SliceImage Render(SliceImage image, HuWindow window)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Intensity == SliceIntensity.Display)
        {
            return image;
        }

        var display = new float[image.Pixels.Length];
        for (int i = 0; i < display.Length; i++)
        {
            display[i] = MathF.Round(255f * window.Apply(image.Pixels[i]));
        }

        return new SliceImage(display, image.Width, image.Height, SliceIntensity.Display, image.SourceFile) { PixelSpacingMm = image.PixelSpacingMm };
    }
}
