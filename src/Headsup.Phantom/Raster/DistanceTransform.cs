namespace Headsup.Phantom.Raster;

/// <summary>
/// Exact Euclidean distance transform (Felzenszwalb–Huttenlocher): for every pixel, the distance in millimetres to the
/// nearest pixel where the mask is zero (0 outside the mask).
/// </summary>
public static class DistanceTransform
{
    /// <summary>Distance (mm) from each mask pixel to the nearest non-mask pixel; 0 where the mask is 0.</summary>
    public static float[] InsideDistanceMm(ReadOnlySpan<byte> mask, SliceGrid grid)
    {
        grid.CheckLength(mask.Length, nameof(mask));
        int rows = grid.Rows;
        int cols = grid.Columns;
        const float Infinity = 1e20f;
        var squared = new float[mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            squared[i] = mask[i] != 0 ? Infinity : 0f;
        }

        int n = Math.Max(rows, cols);
        var f = new float[n];
        var d = new float[n];
        var v = new int[n];
        var z = new float[n + 1];
        for (int c = 0; c < cols; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                f[r] = squared[(r * cols) + c];
            }

            Transform1D(f, rows, d, v, z);
            for (int r = 0; r < rows; r++)
            {
                squared[(r * cols) + c] = d[r];
            }
        }

        for (int r = 0; r < rows; r++)
        {
            var row = squared.AsSpan(r * cols, cols);
            row.CopyTo(f);
            Transform1D(f, cols, d, v, z);
            for (int c = 0; c < cols; c++)
            {
                row[c] = MathF.Sqrt(d[c]) * (float)grid.PixelSpacingMm;
            }
        }

        return squared;
    }

    private static void Transform1D(float[] f, int n, float[] d, int[] v, float[] z)
    {
        int k = 0;
        v[0] = 0;
        z[0] = float.NegativeInfinity;
        z[1] = float.PositiveInfinity;
        for (int q = 1; q < n; q++)
        {
            float s = Intersection(f, q, v[k]);
            while (s <= z[k])
            {
                k--;
                s = Intersection(f, q, v[k]);
            }

            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = float.PositiveInfinity;
        }

        k = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[k + 1] < q)
            {
                k++;
            }

            float dq = q - v[k];
            d[q] = (dq * dq) + f[v[k]];
        }
    }

    private static float Intersection(float[] f, int q, int p) =>
        ((f[q] + (q * (float)q)) - (f[p] + (p * (float)p))) / (2f * (q - p));
}
