namespace Headsup.Datasets;

/// <summary>
/// Estimates the intracranial space (brain and CSF inside the skull) of an axial slice.
/// <para>Method: bone = HU &gt; 300 (for display images, pseudo-HU ≥ 78, i.e. brain-window saturation); the bone mask is
/// closed against small gaps by dilating it with a square of radius r ∈ {1, 3, 6}; the non-bone pixels that cannot be
/// reached from the image border are the enclosed space; of those, the pixels of −20..100 HU (0..78 pseudo-HU) form the
/// candidate, whose largest 4-connected region is grown back by r inside the non-bone soft-tissue pixels and has its holes
/// filled. The radius giving the largest region wins. Pixels are 1 inside, 0 outside.</para>
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

        return best;
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
