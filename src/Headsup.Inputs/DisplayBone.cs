using Headsup.Imaging.Masks;

namespace Headsup.Inputs;

/// <summary>
/// Tells the skull apart from blood in a display image. A display image clips everything above its window to white, so
/// the skull (≈ 1000 HU) and blood above 80 HU are both 255; read as pseudo-HU (value/255 × 80) the whole skull becomes an
/// 80 HU ring, which in brain-plus's three channels looks exactly like a hyperdense bleed — and a vertex slice, mostly
/// thick skull, like a very large one. This finds the white pixels that are bone by where they are, not by their value:
/// the largest 4-connected white region (the skull, or at the skull base its largest piece) and every white pixel outside
/// it (reachable from the image border without crossing the skull grown by <see cref="WallPixels"/> pixels: other bone,
/// the table). White pixels the skull encloses (a clot, a calcification) stay as they were. Applied to a display image
/// with <see cref="InputSpec.DisplayBone"/>, bone pixels are read as <see cref="BoneHu"/>, as a DICOM slice shows them
/// (<see cref="Derive"/>, at the input size). With <see cref="DisplayBoneMode.SaturatedSkull"/> this is done only when the
/// skull is clipped cleanly (at least <see cref="MinSaturatedFraction"/> of it at <see cref="SaturatedDisplay"/> or above,
/// as in an export straight from HU); film-style, resized or lossy exports, whose skull is a textured light grey that a
/// brightness threshold splits into bone and "80 HU", keep the plain reading.
/// </summary>
public static class DisplayBone
{
    /// <summary>The package input's name of <see cref="DisplayBoneMode.Skull"/>.</summary>
    public const string SkullName = "skull";

    /// <summary>The package input's name of <see cref="DisplayBoneMode.SaturatedSkull"/>.</summary>
    public const string SaturatedSkullName = "saturated-skull";

    /// <summary>Display value from which a skull pixel counts as clipped (saturated) for <see cref="DisplayBoneMode.SaturatedSkull"/>.</summary>
    public const float SaturatedDisplay = 254f;

    /// <summary>
    /// The fraction of the skull's pixels that must be saturated for <see cref="DisplayBoneMode.SaturatedSkull"/> to read
    /// it as bone. At the 224² input, real DICOM slices rendered at 40/80 have 0.96–1.00 of it saturated; the Kaggle
    /// display PNGs a median of 0.28 (95 % of them below 0.9) — measured on the shared data with a Python re-implementation
    /// of this rule (docs/generalisation.md, 2e).
    /// </summary>
    public const double MinSaturatedFraction = 0.9;

    /// <summary>The package input's name of <paramref name="mode"/>; null for <see cref="DisplayBoneMode.Off"/>.</summary>
    public static string? NameOf(DisplayBoneMode mode) => mode switch
    {
        DisplayBoneMode.Off => null,
        DisplayBoneMode.Skull => SkullName,
        DisplayBoneMode.SaturatedSkull => SaturatedSkullName,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown display bone mode"),
    };

    /// <summary>The mode a package input names (null or empty = <see cref="DisplayBoneMode.Off"/>); false for an unknown name.</summary>
    public static bool TryParse(string? name, out DisplayBoneMode mode)
    {
        mode = name switch
        {
            null or "" => DisplayBoneMode.Off,
            SkullName => DisplayBoneMode.Skull,
            SaturatedSkullName => DisplayBoneMode.SaturatedSkull,
            _ => (DisplayBoneMode)(-1),
        };
        return Enum.IsDefined(mode);
    }

    /// <summary>The highest white threshold (<see cref="WhiteThreshold"/>): a saturated skull's.</summary>
    public const float MaxWhiteDisplay = 247f;

    /// <summary>The lowest white threshold (<see cref="WhiteThreshold"/>).</summary>
    public const float MinWhiteDisplay = 200f;

    /// <summary>Display levels below the head's 99th percentile where white starts, for exports whose skull is not saturated.</summary>
    public const float WhiteMarginLevels = 8f;

    /// <summary>HU a bone pixel of a display image is read as (cortical bone; every brain-plus channel saturates at or below it).</summary>
    public const float BoneHu = 1000f;

    /// <summary>Pixels the skull is grown by before the border fill, so a gap of a pixel or two in the ring does not let the fill in.</summary>
    public const int WallPixels = 2;

    /// <summary>
    /// The 0/1 mask of the white pixels (<see cref="WhiteThreshold"/>) of <paramref name="display"/> (values 0..255,
    /// row-major) that are bone; with <paramref name="saturatedSkullOnly"/>, none unless the skull is saturated
    /// (<see cref="MinSaturatedFraction"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer values than width × height.</exception>
    public static byte[] Find(ReadOnlySpan<float> display, int width, int height, bool saturatedSkullOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int n = width * height;
        if (display.Length < n)
        {
            throw new ArgumentException($"{display.Length} values do not make a {width}×{height} image", nameof(display));
        }

        float threshold = WhiteThreshold(display[..n]);
        var white = new byte[n];
        for (int i = 0; i < n; i++)
        {
            white[i] = display[i] >= threshold ? (byte)1 : (byte)0;
        }

        var (skull, count) = Morphology.Largest(white, width, height);
        if (count == 0)
        {
            return white;
        }

        if (saturatedSkullOnly && SaturatedFraction(display[..n], skull, count) < MinSaturatedFraction)
        {
            return new byte[n];
        }

        var wall = Morphology.Dilate(skull, width, height, WallPixels);
        for (int i = 0; i < n; i++)
        {
            wall[i] = wall[i] == 0 ? (byte)1 : (byte)0;
        }

        var outside = Morphology.ReachableFromBorder(wall, width, height);
        var bone = new byte[n];
        for (int i = 0; i < n; i++)
        {
            bone[i] = white[i] != 0 && (skull[i] != 0 || outside[i] != 0) ? (byte)1 : (byte)0;
        }

        return bone;
    }

    /// <summary>The fraction of the <paramref name="count"/> pixels of <paramref name="region"/> at <see cref="SaturatedDisplay"/> or above.</summary>
    public static double SaturatedFraction(ReadOnlySpan<float> display, ReadOnlySpan<byte> region, int count)
    {
        if (count <= 0)
        {
            return 0;
        }

        int saturated = 0;
        for (int i = 0; i < region.Length; i++)
        {
            if (region[i] != 0 && display[i] >= SaturatedDisplay)
            {
                saturated++;
            }
        }

        return (double)saturated / count;
    }

    /// <summary>
    /// The display value from which a pixel counts as white: the 99th percentile of the head's pixels (above
    /// <see cref="InputBuilder.HeadThresholdDisplay"/>) less <see cref="WhiteMarginLevels"/>, within [<see cref="MinWhiteDisplay"/>,
    /// <see cref="MaxWhiteDisplay"/>]. A saturated skull (every DICOM slice shown as a display image) gives 247; exports
    /// resized or lossy-compressed after windowing, whose skull sits at 240–253 (many of the Kaggle images), a little less.
    /// </summary>
    public static float WhiteThreshold(ReadOnlySpan<float> display) =>
        Math.Clamp(HeadLevel(display, 0.99) - WhiteMarginLevels, MinWhiteDisplay, MaxWhiteDisplay);

    /// <summary>
    /// The display level (0..255) below which <paramref name="quantile"/> of the head's pixels lie: the pixels above
    /// <see cref="InputBuilder.HeadThresholdDisplay"/>, within <paramref name="region"/> when one is given (0/1, same
    /// length); 255 when there are none.
    /// </summary>
    public static int HeadLevel(ReadOnlySpan<float> display, double quantile, ReadOnlySpan<byte> region = default)
    {
        if (!region.IsEmpty && region.Length != display.Length)
        {
            throw new ArgumentException($"a region of {region.Length} values for {display.Length} pixels", nameof(region));
        }

        var levels = new int[256];
        int head = 0;
        for (int i = 0; i < display.Length; i++)
        {
            float v = display[i];
            if (v > InputBuilder.HeadThresholdDisplay && (region.IsEmpty || region[i] != 0))
            {
                levels[(int)MathF.Round(Math.Clamp(v, 0f, 255f))]++;
                head++;
            }
        }

        int running = 0;
        for (int k = 0; k < 256 && head > 0; k++)
        {
            running += levels[k];
            if (running >= quantile * head)
            {
                return k;
            }
        }

        return 255;
    }

    /// <summary>
    /// Fills channels 1.. of a C × <paramref name="size"/>² input from its channel 0 without bone: channel c =
    /// round(<paramref name="scales"/>[c] × channel 0 × 255) / 255 everywhere — the plain reading of a display image
    /// (white = the top of the brain window), as <see cref="Derive"/> gives where it finds no bone.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not agree.</exception>
    public static void DerivePlain(Span<float> values, int size, IReadOnlyList<float> scales) =>
        Fill(values, size, scales, null, saturatedSkullOnly: false);

    /// <summary>
    /// Fills channels 1.. of a C × <paramref name="size"/>² input from its channel 0 (a display image's brain window,
    /// values 0..1 in 1/255 steps): channel c = round(<paramref name="scales"/>[c] × channel 0 × 255) / 255, except at
    /// bone (<see cref="Find"/> on channel 0 × 255, with <paramref name="saturatedSkullOnly"/>), where every channel c is
    /// <paramref name="boneValues"/>[c]. The one definition shared by a display image's input (<see cref="InputBuilder"/>)
    /// and training's display dropout, so both are the same function of channel 0.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not agree.</exception>
    public static void Derive(Span<float> values, int size, IReadOnlyList<float> scales, IReadOnlyList<float> boneValues, bool saturatedSkullOnly = false)
    {
        ArgumentNullException.ThrowIfNull(boneValues);
        Fill(values, size, scales, boneValues, saturatedSkullOnly);
    }

    /// <summary><see cref="Derive"/> with bone (<paramref name="boneValues"/> given) or <see cref="DerivePlain"/> without.</summary>
    private static void Fill(Span<float> values, int size, IReadOnlyList<float> scales, IReadOnlyList<float>? boneValues, bool saturatedSkullOnly)
    {
        ArgumentNullException.ThrowIfNull(scales);
        int plane = size * size, channels = scales.Count;
        if (size < 1 || channels < 1 || (boneValues is not null && boneValues.Count != channels) || values.Length != channels * plane)
        {
            throw new ArgumentException($"{values.Length} values, {scales.Count} scales and {boneValues?.Count ?? channels} bone values do not make a {channels}×{size}×{size} input");
        }

        var display = new float[plane];
        for (int i = 0; i < plane; i++)
        {
            display[i] = MathF.Round(values[i] * 255f);
        }

        var bone = boneValues is null ? null : Find(display, size, size, saturatedSkullOnly);
        for (int c = channels - 1; c >= 0; c--)
        {
            var channel = values.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                channel[i] = bone is not null && bone[i] != 0 ? boneValues![c] : MathF.Round(scales[c] * display[i]) / 255f;
            }
        }
    }
}
