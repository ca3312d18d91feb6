using Headsup.Imaging.Masks;

namespace Headsup.Imaging.Windowing;

/// <summary>
/// Estimates the HU window (centre/width) an 8-bit display image of a head CT slice was rendered at, from the image
/// alone, so display PNGs can be mapped back to approximate HU (<see cref="EstimatedWindow.ToHu(float)"/>).
/// <list type="number">
/// <item>Head: the largest 4-connected region above display 20 after a 2-pixel dilation (as the model input's head
/// finder does for display images), holes filled.</item>
/// <item>Intracranial tissue: every brain window puts bone above its upper bound, so the skull is white (≥ 254, or
/// the head's 99th percentile less 8 levels, at least 200, when lossy or rescaled exports left it below 254). The
/// white pixels of the head, dilated by 2 pixels (closing small gaps and dropping the partial-volume rim), enclose the
/// intracranial space: the non-white pixels that cannot be reached from the image border; its largest region is used.
/// Fewer than 400 pixels or 5 % of the head (skull base, vertex, no white skull) gives
/// <see cref="WindowEstimateStatus.NoIntracranialSpace"/>; 95 % or more at 0 or 255 gives
/// <see cref="WindowEstimateStatus.Saturated"/>.</item>
/// <item>Width from quantisation, when present: an image rendered from integer HU at a width below 256 HU occupies
/// only every (255 / width)-th display level. When at most 85 % of the levels between the 2nd and 98th percentile of
/// the unsaturated tissue are occupied (and occupied levels hold 10 pixels or more on average, so empty ones are not
/// chance), width = 255 × (occupied − 1) / (last − first occupied level), and the fit below searches widths within ±3 %
/// of it (<see cref="WindowEvidence.QuantisationComb"/>).</item>
/// <item>Fit: over centres 0..100 HU (0.5 HU steps) and widths 40..400 HU (181 log-spaced steps), the display CDF the
/// <see cref="BrainHuReference"/> predicts, P(HU ≤ lower + (k + ½) / 255 × width) for levels k = 0..254 (saturation
/// included), is compared with the observed one; the window with the smallest summed absolute difference (1-D
/// Wasserstein distance in display levels, reported / 255 as <see cref="EstimatedWindow.Fit"/>) wins.</item>
/// </list>
/// The histogram alone fixes the centre well but the width only roughly: the spread of intracranial HU differs from
/// slice to slice (noise, level, CSF, blood) and a narrower spread looks like a wider window.
/// </summary>
public static class WindowEstimator
{
    /// <summary>Display value above which a pixel may belong to the head.</summary>
    public const float HeadThresholdDisplay = 20f;

    /// <summary>Display value from which a pixel counts as bone (saturated white).</summary>
    public const float BoneDisplay = 254f;

    /// <summary>Lowest centre searched (HU).</summary>
    public const double MinCenterHu = 0;

    /// <summary>Highest centre searched (HU).</summary>
    public const double MaxCenterHu = 100;

    /// <summary>Narrowest width searched (HU).</summary>
    public const double MinWidthHu = 40;

    /// <summary>Widest width searched (HU).</summary>
    public const double MaxWidthHu = 400;

    private const float MinBoneDisplay = 200f;
    private const float BoneMarginLevels = 8f;
    private const double CenterStepHu = 0.5;
    private const int WidthSteps = 181;
    private const int MinTissuePixels = 400;
    private const double MinTissueFractionOfHead = 0.05;
    private const double MaxSaturatedFraction = 0.95;
    private const double MaxCombOccupancy = 0.85;
    private const double MinPixelsPerOccupiedLevel = 10;
    private const int MinCombSpanLevels = 16;
    private const double CombWidthTolerance = 0.03;

    /// <summary>Estimates the window of <paramref name="display"/> (row-major, values 0..255).</summary>
    /// <exception cref="ArgumentException">Fewer values than width × height.</exception>
    public static EstimatedWindow Estimate(ReadOnlySpan<float> display, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int n = width * height;
        if (display.Length < n)
        {
            throw new ArgumentException($"{display.Length} values do not make a {width}×{height} image", nameof(display));
        }

        var tissue = IntracranialTissue(display[..n], width, height, out int headPixels);
        if (headPixels == 0)
        {
            return Failed(WindowEstimateStatus.NoHead, 0, 0);
        }

        var counts = new double[256];
        int total = 0;
        for (int i = 0; i < n; i++)
        {
            if (tissue[i] != 0)
            {
                counts[(int)MathF.Round(Math.Clamp(display[i], 0f, 255f))]++;
                total++;
            }
        }

        if (total < MinTissuePixels || total < MinTissueFractionOfHead * headPixels)
        {
            return Failed(WindowEstimateStatus.NoIntracranialSpace, total, 0);
        }

        double saturated = (counts[0] + counts[255]) / total;
        if (saturated >= MaxSaturatedFraction)
        {
            return Failed(WindowEstimateStatus.Saturated, total, saturated);
        }

        var observed = new double[255];
        double running = 0;
        for (int k = 0; k < 255; k++)
        {
            running += counts[k];
            observed[k] = running / total;
        }

        double? combWidth = CombWidth(counts);
        double minWidth = combWidth.HasValue ? Math.Max(MinWidthHu, combWidth.Value * (1 - CombWidthTolerance)) : MinWidthHu;
        double maxWidth = combWidth.HasValue ? Math.Min(MaxWidthHu, combWidth.Value * (1 + CombWidthTolerance)) : MaxWidthHu;
        if (minWidth > maxWidth)
        {
            (combWidth, minWidth, maxWidth) = (null, MinWidthHu, MaxWidthHu);
        }

        var (center, widthHu, distance) = Fit(observed, minWidth, maxWidth);
        return new EstimatedWindow(WindowEstimateStatus.Estimated, new HuWindow(center, widthHu), distance / 255, combWidth.HasValue ? WindowEvidence.QuantisationComb : WindowEvidence.Histogram, total, saturated);
    }

    /// <summary>
    /// The intracranial tissue mask (0/1) of a display image: non-white pixels of the head enclosed by its white (bone)
    /// pixels dilated by 2, largest region (the head's holes filled first). <paramref name="headPixels"/> is the head's size (0 when there is no head).
    /// </summary>
    public static byte[] IntracranialTissue(ReadOnlySpan<float> display, int width, int height, out int headPixels)
    {
        int n = width * height;
        var above = new byte[n];
        for (int i = 0; i < n; i++)
        {
            above[i] = display[i] > HeadThresholdDisplay ? (byte)1 : (byte)0;
        }

        var (head, count) = Morphology.Largest(Morphology.Dilate(above, width, height, 2), width, height);
        headPixels = count;
        if (count == 0)
        {
            return new byte[n];
        }

        var notHead = new byte[n];
        for (int i = 0; i < n; i++)
        {
            notHead[i] = head[i] == 0 ? (byte)1 : (byte)0;
        }

        var beyondHead = Morphology.ReachableFromBorder(notHead, width, height);
        var levels = new int[256];
        int filled = 0;
        for (int i = 0; i < n; i++)
        {
            head[i] = beyondHead[i] == 0 ? (byte)1 : (byte)0;
            if (head[i] != 0)
            {
                levels[(int)MathF.Round(Math.Clamp(display[i], 0f, 255f))]++;
                filled++;
            }
        }

        float boneDisplay = BoneThreshold(levels, filled);
        var bone = new byte[n];
        for (int i = 0; i < n; i++)
        {
            bone[i] = head[i] != 0 && display[i] >= boneDisplay ? (byte)1 : (byte)0;
        }

        var wall = Morphology.Dilate(bone, width, height, 2);
        var passable = new byte[n];
        for (int i = 0; i < n; i++)
        {
            passable[i] = wall[i] == 0 ? (byte)1 : (byte)0;
        }

        var outside = Morphology.ReachableFromBorder(passable, width, height);
        var enclosed = new byte[n];
        for (int i = 0; i < n; i++)
        {
            enclosed[i] = passable[i] != 0 && outside[i] == 0 && head[i] != 0 ? (byte)1 : (byte)0;
        }

        return Morphology.Largest(enclosed, width, height).Mask;
    }

    /// <summary>
    /// <see cref="BoneDisplay"/>, or lower when the skull is not saturated (JPEG-derived or rescaled exports whose
    /// brightest bone sits at 240–253): the head's 99th percentile level less <see cref="BoneMarginLevels"/>, never below
    /// <see cref="MinBoneDisplay"/>.
    /// </summary>
    private static float BoneThreshold(int[] levels, int headPixels)
    {
        int running = 0, p99 = 255;
        for (int k = 0; k < 256; k++)
        {
            running += levels[k];
            if (running >= 0.99 * headPixels)
            {
                p99 = k;
                break;
            }
        }

        return Math.Min(BoneDisplay, Math.Max(MinBoneDisplay, p99 - BoneMarginLevels));
    }

    /// <summary>The width the comb of occupied display levels implies, or null when the levels show no comb.</summary>
    private static double? CombWidth(double[] counts)
    {
        double unsaturated = 0;
        for (int k = 1; k < 255; k++)
        {
            unsaturated += counts[k];
        }

        if (unsaturated <= 0)
        {
            return null;
        }

        int lo = Percentile(counts, unsaturated, 0.02), hi = Percentile(counts, unsaturated, 0.98);
        int first = -1, last = -1, occupied = 0;
        double inRange = 0;
        for (int k = lo; k <= hi; k++)
        {
            if (counts[k] > 0)
            {
                first = first < 0 ? k : first;
                last = k;
                occupied++;
                inRange += counts[k];
            }
        }

        int span = last - first;
        if (first < 0 || span < MinCombSpanLevels || inRange / occupied < MinPixelsPerOccupiedLevel)
        {
            return null;
        }

        double occupancy = occupied / (double)(span + 1);
        return occupancy <= MaxCombOccupancy ? 255.0 * (occupied - 1) / span : null;
    }

    private static int Percentile(double[] counts, double unsaturated, double fraction)
    {
        double target = fraction * unsaturated, running = 0;
        for (int k = 1; k < 255; k++)
        {
            running += counts[k];
            if (running >= target)
            {
                return k;
            }
        }

        return 254;
    }

    private static (double CenterHu, double WidthHu, double Distance) Fit(double[] observed, double minWidth, double maxWidth)
    {
        int centers = (int)Math.Round((MaxCenterHu - MinCenterHu) / CenterStepHu) + 1;
        double bestDistance = double.MaxValue, bestCenter = 0, bestWidth = 0;
        double logMin = Math.Log(minWidth), logMax = Math.Log(maxWidth);
        int widths = maxWidth > minWidth ? WidthSteps : 1;
        for (int w = 0; w < widths; w++)
        {
            double widthHu = widths == 1 ? minWidth : Math.Exp(logMin + ((logMax - logMin) * w / (widths - 1)));
            for (int c = 0; c < centers; c++)
            {
                double center = MinCenterHu + (c * CenterStepHu);
                double lower = center - (widthHu / 2);
                double distance = 0;
                for (int k = 0; k < 255 && distance < bestDistance; k++)
                {
                    distance += Math.Abs(observed[k] - BrainHuReference.Cdf(lower + ((k + 0.5) / 255 * widthHu)));
                }

                if (distance < bestDistance)
                {
                    (bestDistance, bestCenter, bestWidth) = (distance, center, widthHu);
                }
            }
        }

        return (bestCenter, bestWidth, bestDistance);
    }

    private static EstimatedWindow Failed(WindowEstimateStatus status, int tissue, double saturated) =>
        new(status, null, double.NaN, WindowEvidence.None, tissue, saturated);
}
