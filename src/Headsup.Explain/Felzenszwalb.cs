namespace Headsup.Explain;

/// <summary>A label image: <see cref="Labels"/>[y × Width + x] in 0..<see cref="Count"/> − 1.</summary>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Labels">Row-major labels, numbered in the order their first pixel appears in a raster scan.</param>
/// <param name="Count">Number of segments.</param>
public sealed record Segmentation(int Height, int Width, int[] Labels, int Count);

/// <summary>
/// Felzenszwalb and Huttenlocher's graph-based segmentation (IJCV 2004), ported from scikit-image 0.19's
/// <c>segmentation.felzenszwalb</c> so that XRAI's segments match the PAIR reference:
/// <list type="number">
/// <item>each channel is blurred with a Gaussian of standard deviation σ (scipy's <c>gaussian_filter</c>: radius
/// ⌊4σ + 0.5⌋, "reflect" borders, rows first, symmetric taps summed as scipy does), in double precision;</item>
/// <item>8-connected edges (right, down, down-right, up-right, in that list order) weigh the Euclidean colour distance
/// of the blurred pixels, and are sorted by weight;</item>
/// <item>in that order, two components merge when the edge is lighter than both components' internal difference plus
/// (scale / 255) / size; as in scikit-image that threshold is rounded to float32;</item>
/// <item>a second pass over the same order merges every edge one of whose components is smaller than minSize;</item>
/// <item>labels are numbered by their first pixel in raster order (scikit-image numbers them by the smallest pixel
/// index of each component, which is the same).</item>
/// </list>
/// Equal edge weights are taken in list order (a stable sort); numpy's unstable argsort may order them otherwise, so
/// images with tied weights can give a slightly different partition than scikit-image.
/// The sorted edge list does not depend on the scale, so <see cref="SegmentScales"/> builds it once for all scales.
/// </summary>
public static class Felzenszwalb
{
    /// <summary>scipy's default Gaussian truncation, in standard deviations.</summary>
    private const double Truncate = 4.0;

    /// <summary>Segments an H×W×C image (row-major, channels interleaved) at one scale.</summary>
    /// <exception cref="ArgumentException">The buffer does not hold height × width × channels values.</exception>
    public static Segmentation Segment(ReadOnlySpan<float> image, int height, int width, int channels, double scale, double sigma = 0.8, int minSize = 20)
        => SegmentScales(image, height, width, channels, [scale], sigma, minSize)[0];

    /// <summary>Segments an H×W×C image (row-major, channels interleaved) at each of <paramref name="scales"/>.</summary>
    /// <exception cref="ArgumentException">The buffer does not hold height × width × channels values.</exception>
    public static IReadOnlyList<Segmentation> SegmentScales(ReadOnlySpan<float> image, int height, int width, int channels, IReadOnlyList<double> scales, double sigma = 0.8, int minSize = 20)
    {
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        if (image.Length != (long)height * width * channels)
        {
            throw new ArgumentException($"expected {height}×{width}×{channels} = {(long)height * width * channels} values, got {image.Length}", nameof(image));
        }

        var blurred = Blur(image, height, width, channels, sigma);
        var edges = SortedEdges(blurred, height, width, channels);
        var results = new Segmentation[scales.Count];
        for (int i = 0; i < scales.Count; i++)
        {
            results[i] = Merge(edges, height, width, scales[i] / 255.0, minSize);
        }

        return results;
    }

    /// <summary>scipy.ndimage.gaussian_filter with σ along rows and columns and 0 across channels, mode "reflect".</summary>
    private static double[] Blur(ReadOnlySpan<float> image, int height, int width, int channels, double sigma)
    {
        var output = new double[image.Length];
        for (int i = 0; i < image.Length; i++)
        {
            output[i] = image[i];
        }

        if (sigma <= 1e-15)
        {
            return output;
        }

        var weights = GaussianWeights(sigma);
        var line = new double[Math.Max(height, width) + (2 * (weights.Length - 1))];
        int rowLength = width * channels;
        for (int column = 0; column < rowLength; column++)
        {
            FilterLine(output, column, height, rowLength, weights, line);
        }

        for (int y = 0; y < height; y++)
        {
            for (int c = 0; c < channels; c++)
            {
                FilterLine(output, (y * width * channels) + c, width, channels, weights, line);
            }
        }

        return output;
    }

    /// <summary>Half a symmetric kernel: weights[j] for offsets ±j, normalised as scipy's _gaussian_kernel1d does.</summary>
    private static double[] GaussianWeights(double sigma)
    {
        int radius = (int)((Truncate * sigma) + 0.5);
        double factor = -0.5 / (sigma * sigma);
        var phi = new double[(2 * radius) + 1];
        double sum = 0;
        for (int x = -radius; x <= radius; x++)
        {
            phi[x + radius] = Math.Exp(factor * (x * x));
            sum += phi[x + radius];
        }

        var half = new double[radius + 1];
        for (int j = 0; j <= radius; j++)
        {
            half[j] = phi[radius + j] / sum;
        }

        return half;
    }

    /// <summary>Correlates one strided line in place with the symmetric kernel (scipy's symmetric correlate1d loop).</summary>
    private static void FilterLine(double[] data, int start, int length, int stride, double[] weights, double[] line)
    {
        int radius = weights.Length - 1;
        for (int i = -radius; i < length + radius; i++)
        {
            line[i + radius] = data[start + (Reflect(i, length) * stride)];
        }

        for (int i = 0; i < length; i++)
        {
            int centre = i + radius;
            double value = line[centre] * weights[0];
            for (int j = radius; j >= 1; j--)
            {
                value += (line[centre - j] + line[centre + j]) * weights[j];
            }

            data[start + (i * stride)] = value;
        }
    }

    /// <summary>scipy's "reflect" extension (d c b a | a b c d | d c b a), for any offset.</summary>
    private static int Reflect(int i, int length)
    {
        int period = 2 * length;
        i %= period;
        if (i < 0)
        {
            i += period;
        }

        return i < length ? i : period - 1 - i;
    }

    /// <summary>The 8-connected edges sorted by colour distance, ties in list order.</summary>
    private static (int[] A, int[] B, double[] Cost) SortedEdges(double[] image, int height, int width, int channels)
    {
        int count = (height * (width - 1)) + ((height - 1) * width) + (2 * (height - 1) * (width - 1));
        var a = new int[count];
        var b = new int[count];
        var cost = new double[count];
        int e = 0;
        void Add(int p, int q)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                double d = image[(p * channels) + c] - image[(q * channels) + c];
                sum += d * d;
            }

            a[e] = p;
            b[e] = q;
            cost[e++] = Math.Sqrt(sum);
        }

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x + 1 < width; x++)
            {
                Add((y * width) + x + 1, (y * width) + x);
            }
        }

        for (int y = 0; y + 1 < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                Add(((y + 1) * width) + x, (y * width) + x);
            }
        }

        for (int y = 0; y + 1 < height; y++)
        {
            for (int x = 0; x + 1 < width; x++)
            {
                Add(((y + 1) * width) + x + 1, (y * width) + x);
            }
        }

        for (int y = 0; y + 1 < height; y++)
        {
            for (int x = 0; x + 1 < width; x++)
            {
                Add((y * width) + x + 1, ((y + 1) * width) + x);
            }
        }

        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var keys = (double[])cost.Clone();
        Array.Sort(keys, order);
        for (int run = 0; run < count;)
        {
            int end = run + 1;
            while (end < count && keys[end] == keys[run])
            {
                end++;
            }

            if (end - run > 1)
            {
                Array.Sort(order, run, end - run);
            }

            run = end;
        }

        var sortedA = new int[count];
        var sortedB = new int[count];
        for (int i = 0; i < count; i++)
        {
            sortedA[i] = a[order[i]];
            sortedB[i] = b[order[i]];
        }

        return (sortedA, sortedB, keys);
    }

    /// <summary>The greedy merge and the minimum-size pass at one scale (already divided by 255).</summary>
    private static Segmentation Merge((int[] A, int[] B, double[] Cost) edges, int height, int width, double scale, int minSize)
    {
        int n = height * width;
        var parent = new int[n];
        var size = new int[n];
        var internalDifference = new double[n];
        for (int i = 0; i < n; i++)
        {
            parent[i] = i;
            size[i] = 1;
        }

        var (a, b, cost) = edges;
        for (int e = 0; e < cost.Length; e++)
        {
            int ra = Find(parent, a[e]);
            int rb = Find(parent, b[e]);
            if (ra == rb)
            {
                continue;
            }

            float thresholdA = (float)(internalDifference[ra] + (scale / size[ra]));
            float thresholdB = (float)(internalDifference[rb] + (scale / size[rb]));
            if (cost[e] < Math.Min(thresholdA, thresholdB))
            {
                int root = Union(parent, size, ra, rb);
                internalDifference[root] = cost[e];
            }
        }

        for (int e = 0; e < cost.Length; e++)
        {
            int ra = Find(parent, a[e]);
            int rb = Find(parent, b[e]);
            if (ra != rb && (size[ra] < minSize || size[rb] < minSize))
            {
                Union(parent, size, ra, rb);
            }
        }

        var labels = new int[n];
        var labelOfRoot = new int[n];
        Array.Fill(labelOfRoot, -1);
        int next = 0;
        for (int p = 0; p < n; p++)
        {
            int root = Find(parent, p);
            if (labelOfRoot[root] < 0)
            {
                labelOfRoot[root] = next++;
            }

            labels[p] = labelOfRoot[root];
        }

        return new Segmentation(height, width, labels, next);
    }

    private static int Find(int[] parent, int p)
    {
        while (parent[p] != p)
        {
            parent[p] = parent[parent[p]];
            p = parent[p];
        }

        return p;
    }

    /// <summary>Joins two roots (the larger tree keeps its root) and returns the new root.</summary>
    private static int Union(int[] parent, int[] size, int ra, int rb)
    {
        if (size[ra] < size[rb])
        {
            (ra, rb) = (rb, ra);
        }

        parent[rb] = ra;
        size[ra] += size[rb];
        return ra;
    }
}
