namespace Headsup.Imaging.Masks;

/// <summary>Binary-mask helpers (row-major byte masks, non-zero = set): connected components, square dilation/erosion, border fill.</summary>
public static class Morphology
{
    /// <summary>The largest 4-connected component of <paramref name="mask"/> (as a 0/1 mask) and its pixel count.</summary>
    public static (byte[] Mask, int Count) Largest(ReadOnlySpan<byte> mask, int width, int height)
    {
        int n = width * height;
        var labels = new int[n];
        var queue = new int[n];
        int bestLabel = 0, bestCount = 0, label = 0;
        for (int start = 0; start < n; start++)
        {
            if (mask[start] == 0 || labels[start] != 0)
            {
                continue;
            }

            label++;
            int head = 0, tail = 0;
            queue[tail++] = start;
            labels[start] = label;
            while (head < tail)
            {
                int p = queue[head++];
                int y = p / width;
                int x = p - (y * width);
                if (x > 0 && mask[p - 1] != 0 && labels[p - 1] == 0)
                {
                    labels[p - 1] = label;
                    queue[tail++] = p - 1;
                }

                if (x < width - 1 && mask[p + 1] != 0 && labels[p + 1] == 0)
                {
                    labels[p + 1] = label;
                    queue[tail++] = p + 1;
                }

                if (y > 0 && mask[p - width] != 0 && labels[p - width] == 0)
                {
                    labels[p - width] = label;
                    queue[tail++] = p - width;
                }

                if (y < height - 1 && mask[p + width] != 0 && labels[p + width] == 0)
                {
                    labels[p + width] = label;
                    queue[tail++] = p + width;
                }
            }

            if (tail > bestCount)
            {
                bestCount = tail;
                bestLabel = label;
            }
        }

        var result = new byte[n];
        if (bestCount > 0)
        {
            for (int i = 0; i < n; i++)
            {
                result[i] = labels[i] == bestLabel ? (byte)1 : (byte)0;
            }
        }

        return (result, bestCount);
    }

    /// <summary>Marks the pixels of <paramref name="passable"/> 4-connected to the image border (flood fill from the edges).</summary>
    public static byte[] ReachableFromBorder(ReadOnlySpan<byte> passable, int width, int height)
    {
        int n = width * height;
        var reached = new byte[n];
        var queue = new int[n];
        int head = 0, tail = 0;
        void Seed(int p, Span<byte> r, ReadOnlySpan<byte> pass)
        {
            if (pass[p] != 0 && r[p] == 0)
            {
                r[p] = 1;
                queue[tail++] = p;
            }
        }

        for (int x = 0; x < width; x++)
        {
            Seed(x, reached, passable);
            Seed(((height - 1) * width) + x, reached, passable);
        }

        for (int y = 0; y < height; y++)
        {
            Seed(y * width, reached, passable);
            Seed((y * width) + width - 1, reached, passable);
        }

        while (head < tail)
        {
            int p = queue[head++];
            int y = p / width;
            int x = p - (y * width);
            if (x > 0)
            {
                Seed(p - 1, reached, passable);
            }

            if (x < width - 1)
            {
                Seed(p + 1, reached, passable);
            }

            if (y > 0)
            {
                Seed(p - width, reached, passable);
            }

            if (y < height - 1)
            {
                Seed(p + width, reached, passable);
            }
        }

        return reached;
    }

    /// <summary>Dilation by a (2r+1)² square (separable running max).</summary>
    public static byte[] Dilate(ReadOnlySpan<byte> mask, int width, int height, int radius) => Square(mask, width, height, radius, dilate: true);

    /// <summary>Erosion by a (2r+1)² square; pixels outside the image count as unset.</summary>
    public static byte[] Erode(ReadOnlySpan<byte> mask, int width, int height, int radius) => Square(mask, width, height, radius, dilate: false);

    private static byte[] Square(ReadOnlySpan<byte> mask, int width, int height, int radius, bool dilate)
    {
        int n = width * height;
        var source = new byte[n];
        for (int i = 0; i < n; i++)
        {
            source[i] = mask[i] != 0 ? (byte)1 : (byte)0;
        }

        if (radius <= 0)
        {
            return source;
        }

        var temp = new byte[n];
        var result = new byte[n];
        Pass(source, temp, width, height, radius, dilate, horizontal: true);
        Pass(temp, result, width, height, radius, dilate, horizontal: false);
        return result;
    }

    private static void Pass(byte[] source, byte[] destination, int width, int height, int radius, bool dilate, bool horizontal)
    {
        int lines = horizontal ? height : width;
        int length = horizontal ? width : height;
        int step = horizontal ? 1 : width;
        var prefix = new int[length + 1];
        for (int line = 0; line < lines; line++)
        {
            int origin = horizontal ? line * width : line;
            for (int i = 0; i < length; i++)
            {
                prefix[i + 1] = prefix[i] + source[origin + (i * step)];
            }

            for (int i = 0; i < length; i++)
            {
                int lo = Math.Max(0, i - radius);
                int hi = Math.Min(length - 1, i + radius);
                int sum = prefix[hi + 1] - prefix[lo];
                bool set = dilate ? sum > 0 : sum == (2 * radius) + 1;
                destination[origin + (i * step)] = set ? (byte)1 : (byte)0;
            }
        }
    }
}
