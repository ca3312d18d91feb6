using Headsup.Imaging.Masks;
namespace Headsup.Inputs;

/// <summary>
/// Estimates the intracranial space (brain and CSF inside the skull) of an axial slice.
/// <para>Method: bone = HU &gt; 300 (for display images, pseudo-HU ≥ 78, i.e. brain-window saturation); the bone mask is
/// closed against small gaps by dilating it with a square of radius r ∈ {1, 3, 6}; the non-bone pixels that cannot be
/// reached from the image border are the enclosed space; of those, the pixels of −20..100 HU (0..78 pseudo-HU) form the
/// candidate, whose largest 4-connected region is grown back by r inside the non-bone soft-tissue pixels and has its holes
/// filled. The radius giving the largest region wins. Where the skull is open (skull base: orbits, foramina, sinuses)
/// and that finds less than half of what the fallback finds, the fallback is used: soft tissue (−20..100 HU) inside the
/// convex hull of the bone, eroded by 3 pixels to cut thin links, its largest region grown back and holes filled.
/// Pixels are 1 inside, 0 outside.</para>
/// <para>Display images are converted to pseudo-HU with <see cref="ToPseudoHu"/>; saturated pixels lose their true HU, so
/// there bone and very dense blood cannot be told apart.</para>
/// </summary>
public static class BrainMask
{
    /// <summary>Bone threshold for HU images.</summary>
    public const float BoneHu = 300f;

    /// <summary>Bone threshold for pseudo-HU from display images (the brain window saturates at 80 HU).</summary>
    public const float BonePseudoHu = 78f;

    /// <summary>Lowest HU of the intracranial candidate (CSF with noise).</summary>
    public const float LowHu = -20f;

    /// <summary>Highest HU of the intracranial candidate.</summary>
    public const float HighHu = 100f;

    private static readonly int[] s_radii = [1, 3, 6];

    /// <summary>The area in cm² of the set pixels of <paramref name="mask"/>, each <paramref name="pixelMm"/> mm square.</summary>
    public static double AreaCm2(ReadOnlySpan<byte> mask, double pixelMm)
    {
        int count = mask.Length - mask.Count((byte)0);
        return count * pixelMm * pixelMm / 100.0;
    }

    /// <summary>The intracranial mask (0/1, row-major) of <paramref name="image"/>.</summary>
    public static byte[] Compute(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var hu = image.Intensity == SliceIntensity.Hu ? image.Pixels : ToPseudoHu(image.Pixels);
        return Compute(hu, image.Width, image.Height, image.Intensity == SliceIntensity.Hu ? BoneHu : BonePseudoHu);
    }

    /// <summary>Display value (0..255, brain window 40/80) → approximate HU: v / 255 × 80 + 0. Values outside 0..80 HU were clipped by the window and are not recovered.</summary>
    public static float[] ToPseudoHu(ReadOnlySpan<float> display)
    {
        var hu = new float[display.Length];
        for (int i = 0; i < hu.Length; i++)
        {
            hu[i] = Math.Clamp(display[i], 0f, 255f) / 255f * 80f;
        }

        return hu;
    }

    /// <summary>Pseudo-HU → display value: clamp(hu / 80 × 255, 0, 255).</summary>
    public static float FromPseudoHu(float hu) => Math.Clamp(hu / 80f * 255f, 0f, 255f);

    private static byte[] Compute(float[] hu, int width, int height, float boneThreshold)
    {
        int n = width * height;
        var bone = new byte[n];
        var soft = new byte[n];
        for (int i = 0; i < n; i++)
        {
            bone[i] = hu[i] >= boneThreshold ? (byte)1 : (byte)0;
            soft[i] = bone[i] == 0 && hu[i] >= LowHu && hu[i] <= HighHu ? (byte)1 : (byte)0;
        }

        byte[] best = new byte[n];
        int bestCount = 0;
        foreach (var r in s_radii)
        {
            var closed = Morphology.Dilate(bone, width, height, r);
            var passable = new byte[n];
            for (int i = 0; i < n; i++)
            {
                passable[i] = closed[i] == 0 ? (byte)1 : (byte)0;
            }

            var outside = Morphology.ReachableFromBorder(passable, width, height);
            var candidate = new byte[n];
            for (int i = 0; i < n; i++)
            {
                candidate[i] = passable[i] != 0 && outside[i] == 0 && soft[i] != 0 ? (byte)1 : (byte)0;
            }

            var (region, count) = Morphology.Largest(candidate, width, height);
            if (count == 0)
            {
                continue;
            }

            // Grow back over the rim the closing took, staying in soft tissue not reachable from outside through air.
            var grown = Morphology.Dilate(region, width, height, r);
            for (int i = 0; i < n; i++)
            {
                grown[i] = grown[i] != 0 && soft[i] != 0 && (outside[i] == 0 || closed[i] != 0) ? (byte)1 : (byte)0;
            }

            (grown, count) = Morphology.Largest(grown, width, height);
            var filled = FillHoles(grown, width, height, bone);
            count = filled.Count(b => b != 0);
            if (count > bestCount)
            {
                bestCount = count;
                best = filled;
            }
        }

        // Near the skull base the skull is open (orbits, foramina, sinuses) and nothing is enclosed: fall back to the
        // soft tissue inside the bone's convex hull, its thin links (through foramina, to the orbits) cut by erosion.
        var hull = WithinBoneHull(width, height, bone, soft);
        int hullCount = hull.Count(b => b != 0);
        return bestCount >= HullFallbackRatio * hullCount ? best : hull;
    }

    /// <summary>Below this fraction of the hull estimate, the enclosure estimate is taken to have failed.</summary>
    private const double HullFallbackRatio = 0.5;

    private static byte[] WithinBoneHull(int width, int height, byte[] bone, byte[] soft)
    {
        int n = width * height;
        var inside = ConvexHullMask(bone, width, height);
        var candidate = new byte[n];
        for (int i = 0; i < n; i++)
        {
            candidate[i] = inside[i] != 0 && soft[i] != 0 ? (byte)1 : (byte)0;
        }

        const int Cut = 3;
        var (core, count) = Morphology.Largest(Morphology.Erode(candidate, width, height, Cut), width, height);
        if (count == 0)
        {
            return new byte[n];
        }

        var grown = Morphology.Dilate(core, width, height, Cut + 1);
        for (int i = 0; i < n; i++)
        {
            grown[i] = grown[i] != 0 && candidate[i] != 0 ? (byte)1 : (byte)0;
        }

        (grown, _) = Morphology.Largest(grown, width, height);
        return FillHoles(grown, width, height, bone);
    }

    /// <summary>The filled convex hull of the set pixels (Andrew's monotone chain over each row's extreme pixels, filled row by row).</summary>
    private static byte[] ConvexHullMask(byte[] mask, int width, int height)
    {
        var points = new List<(long X, long Y)>();
        for (int y = 0; y < height; y++)
        {
            int first = -1, last = -1;
            for (int x = 0; x < width; x++)
            {
                if (mask[(y * width) + x] != 0)
                {
                    first = first < 0 ? x : first;
                    last = x;
                }
            }

            if (first >= 0)
            {
                points.Add((first, y));
                if (last != first)
                {
                    points.Add((last, y));
                }
            }
        }

        var result = new byte[width * height];
        if (points.Count < 3)
        {
            return result;
        }

        points.Sort((a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
        static long Cross((long X, long Y) o, (long X, long Y) a, (long X, long Y) b) => ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));
        var hull = new List<(long X, long Y)>();
        foreach (var pass in new[] { points, Enumerable.Reverse(points).ToList() })
        {
            int start = hull.Count;
            foreach (var p in pass)
            {
                while (hull.Count >= start + 2 && Cross(hull[^2], hull[^1], p) <= 0)
                {
                    hull.RemoveAt(hull.Count - 1);
                }

                hull.Add(p);
            }

            hull.RemoveAt(hull.Count - 1);
        }

        // fill each row between the polygon's leftmost and rightmost crossing (a convex polygon crosses a row once per side)
        for (int y = 0; y < height; y++)
        {
            double low = double.MaxValue, high = double.MinValue;
            for (int e = 0; e < hull.Count; e++)
            {
                var (a, b) = (hull[e], hull[(e + 1) % hull.Count]);
                if ((y < a.Y && y < b.Y) || (y > a.Y && y > b.Y))
                {
                    continue;
                }

                if (a.Y == b.Y)
                {
                    low = Math.Min(low, Math.Min(a.X, b.X));
                    high = Math.Max(high, Math.Max(a.X, b.X));
                    continue;
                }

                double x = a.X + ((double)(y - a.Y) * (b.X - a.X) / (b.Y - a.Y));
                low = Math.Min(low, x);
                high = Math.Max(high, x);
            }

            for (int x = Math.Max(0, (int)Math.Ceiling(low - 1e-9)); x <= Math.Min(width - 1, (int)Math.Floor(high + 1e-9)); x++)
            {
                result[(y * width) + x] = 1;
            }
        }

        return result;
    }

    private static byte[] FillHoles(byte[] mask, int width, int height, byte[] bone)
    {
        int n = mask.Length;
        var background = new byte[n];
        for (int i = 0; i < n; i++)
        {
            background[i] = mask[i] == 0 ? (byte)1 : (byte)0;
        }

        var outside = Morphology.ReachableFromBorder(background, width, height);
        var result = new byte[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = mask[i] != 0 || (outside[i] == 0 && bone[i] == 0) ? (byte)1 : (byte)0;
        }

        return result;
    }
}
