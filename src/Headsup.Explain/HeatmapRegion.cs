using Headsup.Imaging.Masks;

namespace Headsup.Explain;

/// <summary>
/// The region a heatmap points at, defined once for the overlays people look at and for the lesion check that scores
/// them: the top fraction of the heatmap within a region, without specks, and its outline.
/// </summary>
public static class HeatmapRegion
{
    /// <summary>
    /// The top <paramref name="topFraction"/> of <paramref name="heatmap"/> within <paramref name="region"/> (all pixels when
    /// null): 1 where a pixel's value is at least the (1 − fraction) quantile of the region's values.
    /// </summary>
    public static byte[] Top(ReadOnlySpan<float> heatmap, ReadOnlySpan<byte> region, double topFraction)
    {
        var values = new List<float>();
        for (int i = 0; i < heatmap.Length; i++)
        {
            if ((region.IsEmpty || region[i] != 0) && float.IsFinite(heatmap[i]))
            {
                values.Add(heatmap[i]);
            }
        }

        var mask = new byte[heatmap.Length];
        if (values.Count == 0 || topFraction <= 0)
        {
            return mask;
        }

        values.Sort();
        float threshold = values[Math.Clamp((int)Math.Floor(values.Count * (1 - Math.Min(topFraction, 1))), 0, values.Count - 1)];
        bool constant = values[0] == values[^1];
        for (int i = 0; i < heatmap.Length; i++)
        {
            if ((region.IsEmpty || region[i] != 0) && heatmap[i] >= threshold && !constant)
            {
                mask[i] = 1;
            }
        }

        return mask;
    }

    /// <summary>The mask without connected parts smaller than 0.5 % of it (specks get no outline).</summary>
    public static byte[] WithoutSpecks(byte[] mask, int columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int total = mask.Count(v => v != 0);
        var result = new byte[mask.Length];
        var remaining = (byte[])mask.Clone();
        while (true)
        {
            var (part, count) = Morphology.Largest(remaining, columns, rows);
            if (count == 0 || count < 0.005 * total)
            {
                return result;
            }

            for (int i = 0; i < part.Length; i++)
            {
                if (part[i] != 0)
                {
                    result[i] = 1;
                    remaining[i] = 0;
                }
            }
        }
    }

    /// <summary>Pixels of <paramref name="mask"/> within <paramref name="width"/> pixels of its border (4-neighbourhood).</summary>
    public static IEnumerable<int> Outline(byte[] mask, int columns, int rows, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var edge = new byte[mask.Length];
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < columns; x++)
            {
                int i = (y * columns) + x;
                if (mask[i] != 0 && (x == 0 || y == 0 || x == columns - 1 || y == rows - 1 || mask[i - 1] == 0 || mask[i + 1] == 0 || mask[i - columns] == 0 || mask[i + columns] == 0))
                {
                    edge[i] = 1;
                }
            }
        }

        for (int pass = 1; pass < width; pass++)
        {
            var grown = (byte[])edge.Clone();
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < columns; x++)
                {
                    int i = (y * columns) + x;
                    if (edge[i] == 0 && mask[i] != 0 && ((x > 0 && edge[i - 1] != 0) || (x < columns - 1 && edge[i + 1] != 0) || (y > 0 && edge[i - columns] != 0) || (y < rows - 1 && edge[i + columns] != 0)))
                    {
                        grown[i] = 1;
                    }
                }
            }

            edge = grown;
        }

        for (int i = 0; i < edge.Length; i++)
        {
            if (edge[i] != 0)
            {
                yield return i;
            }
        }
    }
}
