namespace Headsup.Phantom.Lesions;

/// <summary>The result of inserting a hemorrhage into one slice.</summary>
/// <param name="Hu">The modified slice (a new array; the input is not changed).</param>
/// <param name="Mask">1 where the lesion covers at least half a pixel, else 0.</param>
/// <param name="PixelCount">Number of lesion pixels (0 when nothing could be placed).</param>
/// <param name="Plan">The drawn lesion, or null when the slice had no room for the subtype.</param>
public sealed record LesionInsertion(float[] Hu, byte[] Mask, int PixelCount, LesionPlan? Plan)
{
    /// <summary>True when a lesion was placed.</summary>
    public bool Inserted => Plan is not null && PixelCount > 0;
}
