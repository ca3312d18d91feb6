namespace Headsup.Explain;

/// <summary>
/// The <see cref="ExplainOptions.Region"/> rule shared by every method: pixels outside the region take the lowest value
/// the heatmap has inside it, so nothing outside ranks above anything inside.
/// </summary>
internal static class RegionRestriction
{
    /// <summary>Checks that a region, when given, has one byte per pixel and at least one pixel inside.</summary>
    public static void Validate(byte[]? region, int pixels)
    {
        if (region is null)
        {
            return;
        }

        if (region.Length != pixels)
        {
            throw new ArgumentException($"the region must have one byte per pixel ({pixels}), got {region.Length}", nameof(region));
        }

        if (Array.TrueForAll(region, v => v == 0))
        {
            throw new ArgumentException("the region is empty", nameof(region));
        }
    }

    /// <summary>Sets every pixel outside <paramref name="region"/> to the heatmap's minimum inside it.</summary>
    public static void FillOutside(float[] heatmap, byte[]? region)
    {
        if (region is null)
        {
            return;
        }

        float minimum = float.PositiveInfinity;
        for (int i = 0; i < heatmap.Length; i++)
        {
            if (region[i] != 0)
            {
                minimum = Math.Min(minimum, heatmap[i]);
            }
        }

        for (int i = 0; i < heatmap.Length; i++)
        {
            if (region[i] == 0)
            {
                heatmap[i] = minimum;
            }
        }
    }
}
