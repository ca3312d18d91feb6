namespace Headsup.Explain;

/// <summary>The outcome of ranking segments by attribution.</summary>
/// <param name="Heatmap">Per-pixel value: the gain of the region the pixel belongs to (float32, row-major).</param>
/// <param name="Ranks">Per-pixel 1-based rank of its region; 0 outside the restricting region.</param>
/// <param name="Regions">The regions in rank order (rank 1 first).</param>
/// <param name="AdditionGains">The gains in the order the algorithm added the regions (before sorting by gain).</param>
/// <param name="HasRemainder">Whether the last region holds the pixels no segment added (it is ranked last whatever its gain).</param>
public sealed record XraiRanking(float[] Heatmap, int[] Ranks, IReadOnlyList<XraiRegion> Regions, IReadOnlyList<double> AdditionGains, bool HasRemainder);

/// <summary>
/// XRAI (Kapishnikov et al., "XRAI: Better attributions through regions", ICCV 2019) as implemented in the PAIR
/// saliency reference (saliency/core/xrai.py):
/// <list type="bullet">
/// <item>segments: the input normalised (min–max) to [−1, 1], segmented by <see cref="Felzenszwalb"/> at scales
/// 50, 100, 150, 250, 500, 1200 (σ 0.8, minimum size 150); every segment of every scale becomes one mask, dilated by
/// a disk of radius 5. The reference first resizes the image to 224×224; here it is segmented at the network's input
/// size S, which is what the network sees.</item>
/// <item>full algorithm (<see cref="Rank"/> with fast = false): repeatedly drop the masks that would add fewer than
/// 50 new pixels, then add the mask whose new pixels have the highest mean attribution (the gain; the first mask in
/// scale-then-label order wins ties); its new pixels get that gain.</item>
/// <item>fast algorithm: order the masks once by the mean attribution over the whole mask (stable), then walk that
/// order adding each mask that brings at least 50 new pixels; its new pixels get their own mean.</item>
/// <item>in both, pixels no mask added form one last region valued at their own mean, so the heatmap sums to the
/// attribution sum; the added regions are ranked by gain (highest first, stable), and that remainder comes last.</item>
/// </list>
/// Gains therefore never increase with rank over the added regions, but only because they are sorted: in the order
/// the greedy loop adds them they can rise. A mask's gain is the mean over its not-yet-covered pixels, and adding a
/// better mask can remove its low pixels. Example: r = {a: 10, b: 0}, s = {b: 0, c: 12}: s (mean 6) beats r (mean 5)
/// and is added first; r's remaining pixel a then has gain 10. The same happens in the fast variant, which orders by
/// whole-mask means. The remainder region can also have a higher gain than the regions ranked before it.
/// With a restricting region, masks are intersected with it, attributions outside it are never read, outside pixels
/// get rank 0 and the lowest heatmap value found inside.
/// </summary>
public static class Xrai
{
    /// <summary>Felzenszwalb scales of the reference.</summary>
    public static readonly IReadOnlyList<double> SegmentationScales = [50, 100, 150, 250, 500, 1200];

    /// <summary>Gaussian σ of the segmentation.</summary>
    public const double SegmentationSigma = 0.8;

    /// <summary>Minimum segment size, pixels.</summary>
    public const int MinSegmentSize = 150;

    /// <summary>Radius of the disk each segment is dilated with, pixels.</summary>
    public const int DilationRadius = 5;

    /// <summary>Masks adding fewer new pixels than this are dropped.</summary>
    public const int MinPixelDiff = 50;

    /// <summary>
    /// The dilated masks of a C×H×W image (row-major planes, any value range), every scale's segments in label order,
    /// each as the sorted list of its pixel indices.
    /// </summary>
    public static IReadOnlyList<int[]> Segments(ReadOnlySpan<float> chw, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        int pixels = height * width;
        if (chw.Length != (long)channels * pixels)
        {
            throw new ArgumentException($"expected {channels}×{height}×{width} values, got {chw.Length}", nameof(chw));
        }

        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in chw)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        float range = max - min;
        var hwc = new float[chw.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0; p < pixels; p++)
            {
                float unit = range > 0 ? (chw[(c * pixels) + p] - min) / range : 0f;
                hwc[(p * channels) + c] = (unit * 2f) - 1f;
            }
        }

        var masks = new List<int[]>();
        foreach (var segmentation in Felzenszwalb.SegmentScales(hwc, height, width, channels, SegmentationScales, SegmentationSigma, MinSegmentSize))
        {
            masks.AddRange(Dilate(segmentation, DilationRadius));
        }

        return masks;
    }

    /// <summary>
    /// Ranks <paramref name="masks"/> (pixel-index lists) by the per-pixel <paramref name="attribution"/>, with the full
    /// greedy algorithm or the fast one, optionally restricted to <paramref name="region"/> (one byte per pixel,
    /// nonzero = inside).
    /// </summary>
    /// <exception cref="ArgumentException">A mask index is out of range, the region has the wrong size or is empty, or an attribution inside it is not finite.</exception>
    public static XraiRanking Rank(ReadOnlySpan<float> attribution, IReadOnlyList<int[]> masks, bool fast, byte[]? region = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        int pixels = attribution.Length;
        RegionRestriction.Validate(region, pixels);
        var attr = new double[pixels];
        for (int p = 0; p < pixels; p++)
        {
            if (region is null || region[p] != 0)
            {
                attr[p] = attribution[p];
                if (!double.IsFinite(attr[p]))
                {
                    throw new ArgumentException($"attribution at pixel {p} is not finite", nameof(attribution));
                }
            }
        }

        var restricted = new int[masks.Count][];
        for (int m = 0; m < masks.Count; m++)
        {
            if (masks[m].Any(p => (uint)p >= (uint)pixels))
            {
                throw new ArgumentException($"mask {m} has a pixel outside 0..{pixels - 1}", nameof(masks));
            }

            restricted[m] = region is null ? masks[m] : Array.FindAll(masks[m], p => region[p] != 0);
        }

        var covered = new bool[pixels];
        var additions = fast ? AddFast(attr, restricted, covered) : AddGreedy(attr, restricted, covered);
        return Assemble(attr, additions, covered, region);
    }

    /// <summary>Each label's pixels dilated by a disk (x² + y² ≤ r²), as sorted pixel lists in label order.</summary>
    private static List<int[]> Dilate(Segmentation segmentation, int radius)
    {
        var offsets = new List<(int Dy, int Dx)>();
        for (int dy = -radius; dy <= radius; dy++)
        {
            for (int dx = -radius; dx <= radius; dx++)
            {
                if ((dy * dy) + (dx * dx) <= radius * radius)
                {
                    offsets.Add((dy, dx));
                }
            }
        }

        int height = segmentation.Height, width = segmentation.Width;
        var lists = new List<int>[segmentation.Count];
        var lastPixel = new int[segmentation.Count];
        for (int l = 0; l < lists.Length; l++)
        {
            lists[l] = [];
            lastPixel[l] = -1;
        }

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = (y * width) + x;
                foreach (var (dy, dx) in offsets)
                {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || yy >= height || xx < 0 || xx >= width)
                    {
                        continue;
                    }

                    int label = segmentation.Labels[(yy * width) + xx];
                    if (lastPixel[label] != p)
                    {
                        lastPixel[label] = p;
                        lists[label].Add(p);
                    }
                }
            }
        }

        return lists.Select(l => l.ToArray()).ToList();
    }

    /// <summary>The full greedy loop; the remaining (uncovered) count and sum of every mask are kept up to date.</summary>
    private static List<(int[] Pixels, double Gain)> AddGreedy(double[] attr, int[][] masks, bool[] covered)
    {
        var remainingCount = new int[masks.Length];
        var remainingSum = new double[masks.Length];
        var masksOfPixel = new List<int>[attr.Length];
        for (int m = 0; m < masks.Length; m++)
        {
            remainingCount[m] = masks[m].Length;
            foreach (int p in masks[m])
            {
                remainingSum[m] += attr[p];
                (masksOfPixel[p] ??= []).Add(m);
            }
        }

        var additions = new List<(int[] Pixels, double Gain)>();
        var alive = Enumerable.Range(0, masks.Length).ToList();
        while (true)
        {
            alive.RemoveAll(m => remainingCount[m] < MinPixelDiff);
            if (alive.Count == 0)
            {
                return additions;
            }

            int best = alive[0];
            foreach (int m in alive)
            {
                if (remainingSum[m] / remainingCount[m] > remainingSum[best] / remainingCount[best])
                {
                    best = m;
                }
            }

            alive.Remove(best);
            var added = Array.FindAll(masks[best], p => !covered[p]);
            foreach (int p in added)
            {
                covered[p] = true;
                foreach (int m in masksOfPixel[p])
                {
                    remainingCount[m]--;
                    remainingSum[m] -= attr[p];
                }
            }

            additions.Add((added, Mean(attr, added)));
        }
    }

    /// <summary>The fast variant: masks ordered once by their whole-mask mean.</summary>
    private static List<(int[] Pixels, double Gain)> AddFast(double[] attr, int[][] masks, bool[] covered)
    {
        var order = Enumerable.Range(0, masks.Length)
            .OrderByDescending(m => masks[m].Length == 0 ? double.NegativeInfinity : Mean(attr, masks[m]))
            .ToList();
        var additions = new List<(int[] Pixels, double Gain)>();
        foreach (int m in order)
        {
            var added = Array.FindAll(masks[m], p => !covered[p]);
            if (added.Length < MinPixelDiff)
            {
                continue;
            }

            foreach (int p in added)
            {
                covered[p] = true;
            }

            additions.Add((added, Mean(attr, added)));
        }

        return additions;
    }

    /// <summary>Sorts the added regions by gain, appends the remainder, and paints the heatmap and ranks.</summary>
    private static XraiRanking Assemble(double[] attr, List<(int[] Pixels, double Gain)> additions, bool[] covered, byte[]? region)
    {
        var regions = additions.OrderByDescending(a => a.Gain).ToList();
        var remainder = Enumerable.Range(0, attr.Length).Where(p => !covered[p] && (region is null || region[p] != 0)).ToArray();
        if (remainder.Length > 0)
        {
            regions.Add((remainder, Mean(attr, remainder)));
        }

        var heatmap = new float[attr.Length];
        var ranks = new int[attr.Length];
        var summary = new List<XraiRegion>(regions.Count);
        for (int i = 0; i < regions.Count; i++)
        {
            var (pixels, gain) = regions[i];
            foreach (int p in pixels)
            {
                heatmap[p] = (float)gain;
                ranks[p] = i + 1;
            }

            summary.Add(new XraiRegion(i + 1, gain, pixels.Length));
        }

        RegionRestriction.FillOutside(heatmap, region);
        return new XraiRanking(heatmap, ranks, summary, additions.Select(a => a.Gain).ToList(), remainder.Length > 0);
    }

    private static double Mean(double[] attr, int[] pixels)
    {
        double sum = 0;
        foreach (int p in pixels)
        {
            sum += attr[p];
        }

        return sum / pixels.Length;
    }
}
