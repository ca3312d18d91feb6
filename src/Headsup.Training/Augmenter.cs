using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>
/// Batch augmentation on N×C×H×W inputs in [0, 1], on the CPU: random horizontal flip (head CT is left–right
/// symmetric enough), a random affine (rotation, isotropic scale, shift; bilinear, zero padding) and intensity jitter
/// (contrast, brightness, Gaussian noise). Strength 0 returns the input unchanged. The per-image parameters are drawn
/// with a seeded .NET <see cref="Random"/> and enter torch as tensors: no temporary TorchSharp Scalars in the loop
/// (one can be finalised while its native call still runs, which crashed a long run; see <see cref="TorchScalars"/>).
/// <para>Window augmentation (issue 12), before the rest and with its own random stream, so a probability of 0 leaves
/// every other draw unchanged: with probability P per image, the values are re-mapped as if the slice had been displayed
/// at a random brain window, centre uniform in [<see cref="MinWindowCenterHu"/>, <see cref="MaxWindowCenterHu"/>] HU
/// and width uniform in [<see cref="MinWindowWidthHu"/>, <see cref="MaxWindowWidthHu"/>] HU:
/// v′ = clamp((80·v − (C − W/2)) / W, 0, 1) (<see cref="Rewindow"/>). The inputs hold the 40/80 brain window (0..80 HU
/// ↦ 0..1), so this is exact for HU inside 0..80; HU the 40/80 window clipped (below 0 or above 80) stay at the bounds
/// of the new window where a real wider window would have shown them (CSF and fat below 0 HU, bone and dense blood above
/// 80 HU look flat rather than graded). Display images (PNG) are treated the same way, as if they were 40/80.</para>
/// <para>Display dropout (issue 12, recipes with a display fallback such as brain-plus), first of all and with its own
/// random stream: with probability P per image, the input becomes what the recipe gives for a display image of the same
/// slice, channel c = scale_c × channel 0 (<see cref="DropToDisplay"/>); display images are that already and do not
/// change (up to rounding).</para>
/// </summary>
public sealed class Augmenter : IDisposable
{
    /// <summary>Lowest window centre drawn by window augmentation (HU).</summary>
    public const double MinWindowCenterHu = 30;

    /// <summary>Highest window centre drawn by window augmentation (HU).</summary>
    public const double MaxWindowCenterHu = 50;

    /// <summary>Narrowest window width drawn by window augmentation (HU).</summary>
    public const double MinWindowWidthHu = 70;

    /// <summary>Widest window width drawn by window augmentation (HU).</summary>
    public const double MaxWindowWidthHu = 150;

    /// <summary>HU span of the inputs' brain window 40/80 (0..80 HU ↦ 0..1).</summary>
    private const double InputSpanHu = 80;

    private readonly double _strength;
    private readonly double _windowProbability;
    private readonly Random _random;
    private readonly Random _windowRandom;
    private readonly double _displayDropout;
    private readonly IReadOnlyList<float> _displayScales;
    private readonly IReadOnlyList<float>? _displayBoneValues;
    private readonly bool _saturatedSkullOnly;
    private readonly double _displayBoneFraction;
    private readonly Random _boneRandom;
    private readonly Random _dropoutRandom;
    private readonly Generator _generator;

    /// <summary>An augmenter without window augmentation.</summary>
    public Augmenter(double strength, long seed)
        : this(strength, seed, 0)
    {
    }

    /// <summary>An augmenter that also re-windows each image with probability <paramref name="windowProbability"/> (clamped to [0, 1]).</summary>
    public Augmenter(double strength, long seed, double windowProbability)
        : this(strength, seed, windowProbability, 0)
    {
    }

    /// <summary>
    /// An augmenter that also re-windows each image with probability <paramref name="windowProbability"/> and shows it
    /// as a display image with probability <paramref name="displayDropout"/> (both clamped to [0, 1]), its channels
    /// then <paramref name="displayScales"/> × channel 0 (the recipe's <see cref="Headsup.Inputs.InputRecipe.DisplayChannelScales"/>;
    /// needed when <paramref name="displayDropout"/> &gt; 0), and with <paramref name="displayBoneValues"/> its skull as bone
    /// (<see cref="DropToDisplay"/>; with <paramref name="saturatedSkullOnly"/> only where it is cleanly clipped) in a
    /// <paramref name="displayBoneFraction"/> of the dropped images, drawn per image (clamped to [0, 1]; the others keep
    /// the plain reading, so the network also learns what a white skull read as the top of the window is).
    /// </summary>
    public Augmenter(double strength, long seed, double windowProbability, double displayDropout, IReadOnlyList<float>? displayScales = null, IReadOnlyList<float>? displayBoneValues = null, bool saturatedSkullOnly = false, double displayBoneFraction = 1)
    {
        _displayBoneValues = displayBoneValues;
        _saturatedSkullOnly = saturatedSkullOnly;
        _displayBoneFraction = double.IsNaN(displayBoneFraction) ? 1 : Math.Clamp(displayBoneFraction, 0, 1);
        _boneRandom = new Random(unchecked((int)(seed * 41) ^ 0x1b873593));
        _displayDropout = double.IsNaN(displayDropout) ? 0 : Math.Clamp(displayDropout, 0, 1);
        _displayScales = displayScales ?? [];
        if (_displayDropout > 0 && _displayScales.Count == 0)
        {
            throw new ArgumentException("display dropout needs the recipe's display channel scales", nameof(displayScales));
        }

        _dropoutRandom = new Random(unchecked((int)(seed * 37) ^ 0x2545f491));
        _strength = Math.Clamp(strength, 0, 1);
        _windowProbability = double.IsNaN(windowProbability) ? 0 : Math.Clamp(windowProbability, 0, 1);
        _random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        _windowRandom = new Random(unchecked((int)(seed * 31) ^ 0x5f3759df));
        _generator = new Generator((ulong)seed);
    }

    /// <summary>
    /// Re-maps one 40/80-windowed value <paramref name="value"/> to the window <paramref name="centerHu"/>/<paramref name="widthHu"/>:
    /// clamp((80·v − (C − W/2)) / W, 0, 1).
    /// </summary>
    public static float Rewindow(float value, double centerHu, double widthHu) =>
        (float)Math.Clamp(((InputSpanHu * value) - (centerHu - (widthHu / 2))) / widthHu, 0, 1);

    /// <summary>
    /// Re-maps each image i of an N×C×H×W batch of 40/80-windowed values to the window
    /// <paramref name="centersHu"/>[i]/<paramref name="widthsHu"/>[i] (see <see cref="Rewindow"/>); a width of 0 leaves the image as it is.
    /// </summary>
    public static Tensor Rewindow(Tensor batch, IReadOnlyList<double> centersHu, IReadOnlyList<double> widthsHu)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(centersHu);
        ArgumentNullException.ThrowIfNull(widthsHu);
        int n = (int)batch.shape[0];
        if (centersHu.Count != n || widthsHu.Count != n)
        {
            throw new ArgumentException($"{centersHu.Count} centres and {widthsHu.Count} widths for {n} images");
        }

        var scale = new float[n];
        var shift = new float[n];
        for (int i = 0; i < n; i++)
        {
            (scale[i], shift[i]) = widthsHu[i] > 0
                ? ((float)(InputSpanHu / widthsHu[i]), (float)(-(centersHu[i] - (widthsHu[i] / 2)) / widthsHu[i]))
                : (1f, 0f);
        }

        using var scope = NewDisposeScope();
        var x = batch.mul(tensor(scale, new long[] { n, 1, 1, 1 })).Plus(tensor(shift, new long[] { n, 1, 1, 1 }));
        return x.clamp(tensor(0f), tensor(1f)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();

    /// <summary>Returns an augmented copy of <paramref name="batch"/>.</summary>
    public Tensor Apply(Tensor batch) => Apply(batch, null);

    /// <summary>
    /// Returns an augmented copy of <paramref name="batch"/>; image i is never shown as a display image where
    /// <paramref name="keepHu"/>[i] is true (the draws are made for every image all the same, so the other images get
    /// exactly what <see cref="Apply(Tensor)"/> gives them).
    /// </summary>
    public Tensor Apply(Tensor batch, IReadOnlyList<bool>? keepHu)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (keepHu is not null && keepHu.Count != batch.shape[0])
        {
            throw new ArgumentException($"{keepHu.Count} keep-HU flags for {batch.shape[0]} images", nameof(keepHu));
        }

        if (_displayDropout > 0)
        {
            var drop = DrawDisplayDropout((int)batch.shape[0]);
            for (int i = 0; keepHu is not null && i < drop.Length; i++)
            {
                drop[i] &= !keepHu[i];
            }

            using var dropped = DropToDisplay(batch, drop, _displayScales, _displayBoneValues, _saturatedSkullOnly, _displayBoneValues is null || _displayBoneFraction >= 1 ? null : DrawBone(drop.Length));
            return AfterDropout(dropped);
        }

        return AfterDropout(batch);
    }

    /// <summary>
    /// Shows image i of an N×C×H×W batch as a display image of the same slice would arrive where
    /// <paramref name="drop"/>[i] is true: channel c becomes <paramref name="channelScales"/>[c] × channel 0, rounded
    /// to 1/255 like every input (channel 0, the brain window, is what the display image holds; see
    /// <see cref="Headsup.Inputs.InputRecipe.DisplayChannelScales"/>).
    /// </summary>
    /// <remarks>
    /// With <paramref name="boneValues"/> (the recipe's <see cref="Headsup.Inputs.InputRecipe.DisplayBoneValues"/>, for a
    /// package with display bone), the dropped image's channels are <see cref="Headsup.Inputs.DisplayBone.Derive"/> of
    /// channel 0: the same, except that the skull found in the clipped image takes bone's values (with
    /// <paramref name="saturatedSkullOnly"/>, only where it is cleanly clipped, as <see cref="Headsup.Inputs.DisplayBoneMode.SaturatedSkull"/>);
    /// where <paramref name="readBone"/>[i] is false, image i keeps the plain reading (<see cref="Headsup.Inputs.DisplayBone.DerivePlain"/>).
    /// </remarks>
    public static Tensor DropToDisplay(Tensor batch, IReadOnlyList<bool> drop, IReadOnlyList<float> channelScales, IReadOnlyList<float>? boneValues = null, bool saturatedSkullOnly = false, IReadOnlyList<bool>? readBone = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(drop);
        ArgumentNullException.ThrowIfNull(channelScales);
        int n = (int)batch.shape[0], c = (int)batch.shape[1];
        if (drop.Count != n)
        {
            throw new ArgumentException($"{drop.Count} dropout draws for {n} images");
        }

        if (channelScales.Count != c)
        {
            throw new ArgumentException($"{channelScales.Count} channel scales for {c} channels");
        }

        if (readBone is not null && readBone.Count != n)
        {
            throw new ArgumentException($"{readBone.Count} bone draws for {n} images");
        }

        var keep = new float[n];
        for (int i = 0; i < n; i++)
        {
            keep[i] = drop[i] ? 0f : 1f;
        }

        using var scope = NewDisposeScope();
        var k = tensor(keep, new long[] { n, 1, 1, 1 });
        Tensor display;
        if (boneValues is null)
        {
            var scales = tensor(channelScales.Select(v => v * 255f).ToArray(), new long[] { 1, c, 1, 1 });
            display = batch.narrow(1, 0, 1).mul(scales).round().div(tensor(255f));
        }
        else
        {
            int size = (int)batch.shape[2], plane = size * size;
            if ((int)batch.shape[3] != size)
            {
                throw new ArgumentException($"display bone needs square inputs, not {batch.shape[2]}×{batch.shape[3]}");
            }

            var first = batch.narrow(1, 0, 1).cpu().contiguous().data<float>().ToArray();
            var values = new float[n * c * plane];
            for (int i = 0; i < n; i++)
            {
                if (drop[i])
                {
                    var image = values.AsSpan(i * c * plane, c * plane);
                    first.AsSpan(i * plane, plane).CopyTo(image);
                    if (readBone is null || readBone[i])
                    {
                        Headsup.Inputs.DisplayBone.Derive(image, size, channelScales, boneValues, saturatedSkullOnly);
                    }
                    else
                    {
                        Headsup.Inputs.DisplayBone.DerivePlain(image, size, channelScales);
                    }
                }
            }

            display = tensor(values, new long[] { n, c, size, size }).to(batch.device);
        }

        return batch.mul(k).Plus(display.mul(k.neg().Plus(tensor(1f)))).MoveToOuterDisposeScope();
    }

    private bool[] DrawDisplayDropout(int n)
    {
        var drop = new bool[n];
        for (int i = 0; i < n; i++)
        {
            drop[i] = _dropoutRandom.NextDouble() < _displayDropout;
        }

        return drop;
    }

    private bool[] DrawBone(int n)
    {
        var bone = new bool[n];
        for (int i = 0; i < n; i++)
        {
            bone[i] = _boneRandom.NextDouble() < _displayBoneFraction;
        }

        return bone;
    }

    private Tensor AfterDropout(Tensor batch)
    {
        if (_windowProbability > 0)
        {
            using var rewindowed = RewindowSome(batch);
            return Augment(rewindowed);
        }

        return Augment(batch);
    }

    private Tensor RewindowSome(Tensor batch)
    {
        int n = (int)batch.shape[0];
        var centers = new double[n];
        var widths = new double[n];
        for (int i = 0; i < n; i++)
        {
            double draw = _windowRandom.NextDouble();
            double center = MinWindowCenterHu + (_windowRandom.NextDouble() * (MaxWindowCenterHu - MinWindowCenterHu));
            double width = MinWindowWidthHu + (_windowRandom.NextDouble() * (MaxWindowWidthHu - MinWindowWidthHu));
            (centers[i], widths[i]) = draw < _windowProbability ? (center, width) : (0, 0);
        }

        return Rewindow(batch, centers, widths);
    }

    private Tensor Augment(Tensor batch)
    {
        if (_strength <= 0)
        {
            return batch.alias();
        }

        int n = (int)batch.shape[0];
        var theta = new float[n * 6];
        var gain = new float[n];
        var offset = new float[n];
        var flip = new bool[n];
        for (int i = 0; i < n; i++)
        {
            flip[i] = _random.NextDouble() < 0.5;
            double angle = Uniform() * 15.0 * Math.PI / 180.0 * _strength;
            double scale = 1 + (Uniform() * 0.15 * _strength);
            double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
            theta[(i * 6) + 0] = (float)cos;
            theta[(i * 6) + 1] = (float)-sin;
            theta[(i * 6) + 2] = (float)(Uniform() * 0.08 * _strength);
            theta[(i * 6) + 3] = (float)sin;
            theta[(i * 6) + 4] = (float)cos;
            theta[(i * 6) + 5] = (float)(Uniform() * 0.08 * _strength);
            gain[i] = (float)(1 + (Uniform() * 0.15 * _strength));
            offset[i] = (float)(Uniform() * 0.06 * _strength);
        }

        using var scope = NewDisposeScope();
        var flipMask = tensor(flip, new long[] { n, 1, 1, 1 });
        var x = where(flipMask, batch.flip(3), batch);
        var grid = nn.functional.affine_grid(tensor(theta, new long[] { n, 2, 3 }), batch.shape, align_corners: false);
        x = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        x = x.mul(tensor(gain, new long[] { n, 1, 1, 1 })).Plus(tensor(offset, new long[] { n, 1, 1, 1 }));
        x = x.Plus(randn(x.shape, generator: _generator).mul(tensor((float)(0.02 * _strength))));
        return x.clamp(tensor(0f), tensor(1f)).MoveToOuterDisposeScope();
    }

    private double Uniform() => (_random.NextDouble() * 2) - 1;
}
