namespace Headsup.Imaging.Geometry;

/// <summary>How a plane is resampled.</summary>
public enum ResizeMethod
{
    /// <summary>Area averaging: each output pixel is the overlap-weighted mean of the input pixels it covers (like OpenCV INTER_AREA when shrinking).</summary>
    Area,

    /// <summary>Bilinear with half-pixel centres (align_corners = false), edges clamped (like OpenCV INTER_LINEAR, PyTorch antialias = false).</summary>
    Bilinear,
}

/// <summary>Separable resampling of float planes with precomputed weights.</summary>
public static class Resizer
{
    /// <summary>Resizes a row-major plane.</summary>
    public static void Resize(ReadOnlySpan<float> source, int sourceHeight, int sourceWidth, Span<float> destination, int height, int width, ResizeMethod method)
    {
        if (source.Length < sourceHeight * sourceWidth || destination.Length < height * width)
        {
            throw new ArgumentException("buffers do not match the sizes");
        }

        if (sourceHeight == height && sourceWidth == width)
        {
            source[..(height * width)].CopyTo(destination);
            return;
        }

        var columns = Weights(sourceWidth, width, method);
        var rows = Weights(sourceHeight, height, method);
        var temp = new float[sourceHeight * width];
        for (int y = 0; y < sourceHeight; y++)
        {
            var srcRow = source.Slice(y * sourceWidth, sourceWidth);
            var tmpRow = temp.AsSpan(y * width, width);
            for (int x = 0; x < width; x++)
            {
                var (start, w) = columns[x];
                float sum = 0;
                for (int k = 0; k < w.Length; k++)
                {
                    sum += srcRow[start + k] * w[k];
                }

                tmpRow[x] = sum;
            }
        }

        for (int y = 0; y < height; y++)
        {
            var (start, w) = rows[y];
            var dstRow = destination.Slice(y * width, width);
            dstRow.Clear();
            for (int k = 0; k < w.Length; k++)
            {
                var tmpRow = temp.AsSpan((start + k) * width, width);
                float weight = w[k];
                for (int x = 0; x < width; x++)
                {
                    dstRow[x] += tmpRow[x] * weight;
                }
            }
        }
    }

    private static (int Start, float[] Weights)[] Weights(int sourceSize, int size, ResizeMethod method)
    {
        var result = new (int, float[])[size];
        double scale = (double)sourceSize / size;
        for (int i = 0; i < size; i++)
        {
            if (method == ResizeMethod.Bilinear || scale < 1)
            {
                double center = ((i + 0.5) * scale) - 0.5;
                int left = (int)Math.Floor(center);
                double frac = center - left;
                int a = Math.Clamp(left, 0, sourceSize - 1);
                int b = Math.Clamp(left + 1, 0, sourceSize - 1);
                if (a == b)
                {
                    result[i] = (a, [1f]);
                }
                else
                {
                    result[i] = (a, [(float)(1 - frac), (float)frac]);
                }
            }
            else
            {
                double from = i * scale;
                double to = (i + 1) * scale;
                int first = (int)Math.Floor(from);
                int last = Math.Min((int)Math.Ceiling(to), sourceSize) - 1;
                var w = new float[last - first + 1];
                for (int k = first; k <= last; k++)
                {
                    double overlap = Math.Min(to, k + 1) - Math.Max(from, k);
                    w[k - first] = (float)(overlap / scale);
                }

                result[i] = (first, w);
            }
        }

        return result;
    }
}
