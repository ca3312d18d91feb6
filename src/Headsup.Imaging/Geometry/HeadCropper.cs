namespace Headsup.Imaging.Geometry;

/// <summary>A rectangle of pixels (x = column, y = row).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);

/// <summary>
/// Finds the head in a slice: the largest 4-connected region above a HU threshold (so the table and a head holder,
/// which are separate thin objects, are left out), as a square box with a margin, clamped to the image.
/// </summary>
public static class HeadCropper
{
    /// <summary>The square box around the head, or null when nothing is above the threshold.</summary>
    public static PixelRect? Find(ReadOnlySpan<float> hu, int rows, int columns, float thresholdHu = -300f, double marginFraction = 0.05)
    {
        var labels = new int[rows * columns];
        var queue = new int[rows * columns];
        int bestCount = 0;
        (int MinX, int MinY, int MaxX, int MaxY) best = default;
        int label = 0;
        for (int start = 0; start < hu.Length && start < rows * columns; start++)
        {
            if (labels[start] != 0 || hu[start] <= thresholdHu)
            {
                continue;
            }

            label++;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            labels[start] = label;
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            while (head < tail)
            {
                int p = queue[head++];
                int y = p / columns;
                int x = p - (y * columns);
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
                if (x > 0)
                {
                    Visit(hu, labels, queue, ref tail, p - 1, label, thresholdHu);
                }

                if (x < columns - 1)
                {
                    Visit(hu, labels, queue, ref tail, p + 1, label, thresholdHu);
                }

                if (y > 0)
                {
                    Visit(hu, labels, queue, ref tail, p - columns, label, thresholdHu);
                }

                if (y < rows - 1)
                {
                    Visit(hu, labels, queue, ref tail, p + columns, label, thresholdHu);
                }
            }

            if (tail > bestCount)
            {
                bestCount = tail;
                best = (minX, minY, maxX, maxY);
            }
        }

        if (bestCount == 0)
        {
            return null;
        }

        int w = best.MaxX - best.MinX + 1;
        int h = best.MaxY - best.MinY + 1;
        int side = (int)Math.Ceiling(Math.Max(w, h) * (1 + (2 * marginFraction)));
        side = Math.Min(side, Math.Min(rows, columns));
        int cx = (best.MinX + best.MaxX + 1) / 2;
        int cy = (best.MinY + best.MaxY + 1) / 2;
        int x0 = Math.Clamp(cx - (side / 2), 0, columns - side);
        int y0 = Math.Clamp(cy - (side / 2), 0, rows - side);
        return new PixelRect(x0, y0, side, side);
    }

    private static void Visit(ReadOnlySpan<float> hu, int[] labels, int[] queue, ref int tail, int q, int label, float thresholdHu)
    {
        if (labels[q] == 0 && hu[q] > thresholdHu)
        {
            labels[q] = label;
            queue[tail++] = q;
        }
    }

    /// <summary>Copies a rectangle out of a plane.</summary>
    public static float[] Crop(ReadOnlySpan<float> plane, int columns, PixelRect rect)
    {
        var result = new float[rect.Width * rect.Height];
        for (int y = 0; y < rect.Height; y++)
        {
            plane.Slice(((rect.Y + y) * columns) + rect.X, rect.Width).CopyTo(result.AsSpan(y * rect.Width, rect.Width));
        }

        return result;
    }
}
