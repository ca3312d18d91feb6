using Headsup.Datasets;
using Headsup.Inputs;
using Headsup.Phantom.Lesions;
using Headsup.Phantom.Raster;

namespace Headsup.Training.Lesions;

/// <summary>A slice with an inserted hemorrhage.</summary>
/// <param name="Image">The slice with the lesion, in the input's intensity (HU or display).</param>
/// <param name="Mask">1 where the lesion covers at least half a pixel.</param>
/// <param name="Subtype">The subtype's RSNA name.</param>
/// <param name="Conspicuity">0.3..1 (subtle → obvious).</param>
/// <param name="BrainMask">The intracranial mask the lesion was placed in.</param>
public sealed record SynthesizedLesion(SliceImage Image, byte[] Mask, string Subtype, double Conspicuity, byte[] BrainMask)
{
    /// <summary>Number of lesion pixels.</summary>
    public int PixelCount => Mask.Count(b => b != 0);
}

/// <summary>A negative slice with an inserted bleed mimic (a physiological calcification); it stays negative.</summary>
/// <param name="Image">The slice with the calcification, in the input's intensity (HU or display).</param>
/// <param name="Mask">1 where the calcification covers at least half a pixel.</param>
/// <param name="Site">Where it sits.</param>
public sealed record SynthesizedMimic(SliceImage Image, byte[] Mask, CalcificationSite Site);

/// <summary>
/// Turns negative slices into positives for training: computes the intracranial mask (<see cref="BrainMask"/>), draws a
/// subtype by weight and a conspicuity in [<see cref="MinConspicuity"/>, <see cref="MaxConspicuity"/>], and calls the
/// phantom's <see cref="LesionInserter"/>. Display images are converted to pseudo-HU (v/255 × 80, approximate: saturated
/// pixels lose their true HU) and back; pixels the insertion does not touch keep their exact original values. Deterministic
/// for a given <see cref="Random"/> state.
/// </summary>
public sealed class LesionSynthesizer
{
    /// <summary>Default subtype weights (RSNA order): subdural and subarachnoid common, epidural rare.</summary>
    public static IReadOnlyList<double> DefaultWeights { get; } = [0.1, 0.25, 0.15, 0.2, 0.3];

    private readonly double[] _weights;

    /// <summary>Creates the synthesizer; <paramref name="subtypeWeights"/> has five non-negative weights in RSNA order.</summary>
    public LesionSynthesizer(IReadOnlyList<double>? subtypeWeights = null)
    {
        var weights = (subtypeWeights ?? DefaultWeights).ToArray();
        if (weights.Length != HemorrhageLabels.Subtypes.Count || weights.Any(w => !(w >= 0)) || weights.Sum() <= 0)
        {
            throw new ArgumentException("five non-negative weights with a positive sum are needed", nameof(subtypeWeights));
        }

        _weights = weights;
    }

    /// <summary>Lowest conspicuity drawn.</summary>
    public double MinConspicuity { get; init; } = 0.3;

    /// <summary>Highest conspicuity drawn.</summary>
    public double MaxConspicuity { get; init; } = 1.0;

    /// <summary>Fewest intracranial pixels, as a fraction of the image, for a slice to be used.</summary>
    public double MinBrainFraction { get; init; } = 0.02;

    /// <summary>Pixel size assumed when the image does not say (display images): 180 mm over the head's longer side.</summary>
    public double AssumedHeadLengthMm { get; init; } = 180;

    /// <summary>
    /// Inserts a lesion into a negative slice, or returns null when the slice has too little brain or no subtype fits.
    /// </summary>
    public SynthesizedLesion? Synthesize(SliceImage negative, Random random)
    {
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentNullException.ThrowIfNull(random);
        if (BrainOf(negative) is not { } brain)
        {
            return null;
        }

        var hu = AsHu(negative);
        var grid = new SliceGrid(negative.Height, negative.Width, SpacingOf(negative));
        var weights = (double[])_weights.Clone();
        for (int attempt = 0; attempt < HemorrhageLabels.Subtypes.Count && weights.Sum() > 0; attempt++)
        {
            int k = WeightedDraw.Index(weights, random);
            double conspicuity = MinConspicuity + (random.NextDouble() * (MaxConspicuity - MinConspicuity));
            var insertion = LesionInserter.Insert(hu, grid, brain, (HemorrhageSubtype)k, conspicuity, random);
            if (!insertion.Inserted)
            {
                weights[k] = 0;
                continue;
            }

            return new SynthesizedLesion(Restore(negative, hu, insertion.Hu), insertion.Mask, HemorrhageLabels.Subtypes[k], conspicuity, brain);
        }

        return null;
    }

    /// <summary>
    /// Inserts a physiological calcification (<see cref="CalcificationInserter"/>: choroid plexus, pineal, basal ganglia
    /// or falx) into a negative slice — a bleed mimic that stays negative — or returns null when the slice has too little
    /// brain or no site fits. Display images go through the same pseudo-HU as lesions (calcification saturates at 255).
    /// </summary>
    public SynthesizedMimic? SynthesizeCalcification(SliceImage negative, Random random)
    {
        ArgumentNullException.ThrowIfNull(negative);
        ArgumentNullException.ThrowIfNull(random);
        if (BrainOf(negative) is not { } brain)
        {
            return null;
        }

        var hu = AsHu(negative);
        var insertion = CalcificationInserter.Insert(hu, new SliceGrid(negative.Height, negative.Width, SpacingOf(negative)), brain, random);
        return insertion.Site is { } site ? new SynthesizedMimic(Restore(negative, hu, insertion.Hu), insertion.Mask, site) : null;
    }

    /// <summary>The intracranial mask, or null when the slice is too small or holds too little brain.</summary>
    private byte[]? BrainOf(SliceImage image)
    {
        if (image.Width < 8 || image.Height < 8)
        {
            return null;
        }

        var brain = BrainMask.Compute(image);
        return brain.Count(b => b != 0) < MinBrainFraction * image.Width * image.Height ? null : brain;
    }

    /// <summary>The slice in HU: its own pixels, or pseudo-HU for a display image.</summary>
    private static float[] AsHu(SliceImage image) => image.Intensity == SliceIntensity.Display ? BrainMask.ToPseudoHu(image.Pixels) : image.Pixels;

    /// <summary>
    /// The slice with <paramref name="inserted"/>'s HU, back in the image's own intensity; for a display image, pixels the
    /// insertion did not touch keep their exact original values.
    /// </summary>
    private static SliceImage Restore(SliceImage original, float[] hu, float[] inserted)
    {
        float[] pixels;
        if (original.Intensity == SliceIntensity.Display)
        {
            pixels = new float[inserted.Length];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = inserted[i] == hu[i] ? original.Pixels[i] : BrainMask.FromPseudoHu(inserted[i]);
            }
        }
        else
        {
            pixels = inserted;
        }

        return new SliceImage(pixels, original.Width, original.Height, original.Intensity, original.SourceFile) { PixelSpacingMm = original.PixelSpacingMm };
    }

    private double SpacingOf(SliceImage image)
    {
        if (image.PixelSpacingMm is { } mm && mm > 0)
        {
            return mm;
        }

        var head = InputBuilder.FindHead(image);
        int side = head is { } box ? Math.Max(box.Width, box.Height) : Math.Max(image.Width, image.Height);
        return AssumedHeadLengthMm / Math.Max(side, 1);
    }
}
