using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;

namespace Headsup.Inputs;

/// <summary>
/// Builds the model input so that display-windowed PNGs and DICOM HU slices look alike — the one definition every path
/// (training, evaluation, detect, explain) uses:
/// <list type="number">
/// <item>channels at full resolution: gray-brain = brain window 40/80 of HU, or display/255; brain-plus = windows of 0–80,
/// 0–200 and 0–1000 HU, of HU or of the display image read as 40/80 (value/255 × 80 HU) — with
/// <see cref="InputSpec.DisplayBone"/>, a display image's channel 0 alone, the others derived from it at the input size
/// with its skull as bone (<see cref="DisplayBone.Derive"/>); e1–e4 = Imaging's
/// <see cref="RecipeBuilder"/> (E3 bytes /255); context = brain window of the previous, current and next slice (the centre
/// replicated where a neighbour is missing);</item>
/// <item>with <see cref="InputSpec.HeadMask"/>, every channel is set to 0 outside the centre slice's head
/// (<see cref="HeadMask"/>);</item>
/// <item>the head of the centre slice (<see cref="FindHead"/>) is cropped to its bounding box, padded with 0 to a centred
/// square (aspect kept) and area-resampled to Size × Size (<see cref="InputFrame.Resample"/>);</item>
/// <item>values are clamped to [0, 1] and rounded to 1/255 steps (<see cref="InputQuantisation"/>).</item>
/// </list>
/// </summary>
public static class InputBuilder
{
    /// <summary>HU above which a pixel may belong to the head (air and most of the table foam are below).</summary>
    public const float HeadThresholdHu = -200f;

    /// <summary>Display value above which a pixel may belong to the head (≈ 6 HU in the brain window): the window
    /// estimator's, so the head it reads a display image's window from is the head the input is built from.</summary>
    public const float HeadThresholdDisplay = WindowEstimator.HeadThresholdDisplay;

    /// <summary>Pixels the head mask is grown by beyond the head region, so the scalp's edge stays in.</summary>
    public const int HeadMaskMarginPixels = 3;

    /// <summary>Builds the input for <paramref name="stack"/> with its frame.</summary>
    /// <exception cref="InputRecipeException">The recipe needs HU and an image is a display image, or a neighbour's size differs.</exception>
    public static NetworkInput Build(SliceStack stack, InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(spec);
        var center = stack.Center;
        var recipe = spec.Recipe;
        if (recipe.NeedsHu)
        {
            RequireHu(center, recipe);
        }

        int w = center.Width, h = center.Height, plane = w * h;
        float[] planes;
        bool derived = false;
        if (recipe == InputRecipe.GrayBrain)
        {
            planes = new float[plane];
            if (center.Intensity == SliceIntensity.Hu)
            {
                WindowApplier.Apply(HuWindow.Brain, center.Pixels, planes);
            }
            else
            {
                for (int i = 0; i < plane; i++)
                {
                    planes[i] = Math.Clamp(center.Pixels[i] / 255f, 0f, 1f);
                }
            }
        }
        else if (recipe == InputRecipe.BrainPlus && center.Intensity == SliceIntensity.Display && spec.DisplayBone)
        {
            // Channel 0 only, at full resolution; the others are derived from it at the input size, bone included
            // (DisplayBone.Derive), exactly as training's display dropout derives them from a DICOM slice's channel 0.
            planes = new float[plane];
            for (int i = 0; i < plane; i++)
            {
                planes[i] = Math.Clamp(center.Pixels[i] / 255f, 0f, 1f);
            }

            derived = true;
        }
        else if (recipe == InputRecipe.BrainPlus)
        {
            planes = new float[3 * plane];
            if (center.Intensity == SliceIntensity.Hu)
            {
                ApplyWindows(InputRecipe.BrainPlusWindows, center.Pixels, planes, plane);
            }
            else
            {
                // A display image is read as the brain window of HU clipped to it (value/255 × 80 HU), so its channels
                // are the same functions of HU as a DICOM slice's wherever 0–80 HU; only what the clip removed differs.
                var pseudoHu = new float[plane];
                for (int i = 0; i < plane; i++)
                {
                    pseudoHu[i] = (float)(HuWindow.Brain.LowerHu + (Math.Clamp(center.Pixels[i] / 255f, 0f, 1f) * HuWindow.Brain.WidthHu));
                }

                ApplyWindows(InputRecipe.BrainPlusWindows, pseudoHu, planes, plane);
            }
        }
        else if (recipe == InputRecipe.Context)
        {
            planes = new float[3 * plane];
            var before = Neighbour(stack.Previous, center, recipe);
            var after = Neighbour(stack.Next, center, recipe);
            WindowApplier.Apply(HuWindow.Brain, before.Pixels, planes.AsSpan(0, plane));
            WindowApplier.Apply(HuWindow.Brain, center.Pixels, planes.AsSpan(plane, plane));
            WindowApplier.Apply(HuWindow.Brain, after.Pixels, planes.AsSpan(2 * plane, plane));
        }
        else
        {
            var kind = recipe.PaperKind ?? throw new InvalidOperationException($"recipe {recipe} has no input definition");
            var tensor = new RecipeBuilder(new RecipeOptions { Kind = kind }).Build(new HuSlice(center.Pixels, h, w, center.SourceFile ?? "<memory>"));
            planes = tensor.Floats ?? tensor.Bytes!.Select(b => b / 255f).ToArray();
        }

        if (spec.HeadMask)
        {
            var head = HeadMask(center);
            for (int c = 0; c < planes.Length / plane; c++)
            {
                var channel = planes.AsSpan(c * plane, plane);
                for (int i = 0; i < plane; i++)
                {
                    if (head[i] == 0)
                    {
                        channel[i] = 0f;
                    }
                }
            }
        }

        var frame = InputFrame.Of(center, spec.Size);
        var values = frame.Resample(planes, planes.Length / plane, pad: 0f, clamp: true);
        InputQuantisation.Quantise(values);
        if (derived)
        {
            var all = new float[recipe.Channels * values.Length];
            values.CopyTo(all, 0);
            DisplayBone.Derive(all, spec.Size, recipe.DisplayChannelScales, recipe.DisplayBoneValues, spec.DisplayBoneMode == DisplayBoneMode.SaturatedSkull);
            values = all;
        }

        return new NetworkInput(values, recipe.Channels, frame);
    }

    /// <summary>The input values alone (channels × Size × Size) for a slice and its neighbours.</summary>
    /// <exception cref="InputRecipeException">The recipe needs HU and an image is a display image, or a neighbour's size differs.</exception>
    public static float[] Build(SliceImage center, SliceImage? previous, SliceImage? next, InputSpec spec) =>
        Build(new SliceStack(center, previous, next), spec).Values;

    /// <summary>
    /// The tight bounding box of the head (<see cref="HeadFinder"/>): the largest 4-connected region above
    /// <see cref="HeadThresholdHu"/> (HU) or above <see cref="HeadThresholdDisplay"/> (display; the mask is dilated by 2
    /// pixels first so the scalp, separated from the skull by fat that the brain window shows black, stays with the
    /// head). Null when nothing is above the threshold.
    /// </summary>
    public static PixelRect? FindHead(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Intensity == SliceIntensity.Hu
            ? HeadFinder.Find(image.Pixels, image.Width, image.Height, HeadThresholdHu)
            : HeadFinder.Find(image.Pixels, image.Width, image.Height, HeadThresholdDisplay, dilateRadius: 2);
    }

    /// <summary>
    /// The head region of <paramref name="image"/> as a 0/1 mask (<see cref="HeadFinder.Mask"/>): the region
    /// <see cref="FindHead"/> boxes (same threshold and dilation), its holes filled, grown by
    /// <see cref="HeadMaskMarginPixels"/>. Text, rulers and the table are separate objects and fall outside.
    /// </summary>
    public static byte[] HeadMask(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Intensity == SliceIntensity.Hu
            ? HeadFinder.Mask(image.Pixels, image.Width, image.Height, HeadThresholdHu, marginRadius: HeadMaskMarginPixels)
            : HeadFinder.Mask(image.Pixels, image.Width, image.Height, HeadThresholdDisplay, dilateRadius: 2, marginRadius: HeadMaskMarginPixels);
    }

    private static void ApplyWindows(IReadOnlyList<HuWindow> windows, float[] hu, float[] planes, int plane)
    {
        for (int c = 0; c < windows.Count; c++)
        {
            WindowApplier.Apply(windows[c], hu, planes.AsSpan(c * plane, plane));
        }
    }

    private static SliceImage Neighbour(SliceImage? neighbour, SliceImage center, InputRecipe recipe)
    {
        if (neighbour is null)
        {
            return center;
        }

        RequireHu(neighbour, recipe);
        if (neighbour.Width != center.Width || neighbour.Height != center.Height)
        {
            throw new InputRecipeException(neighbour.SourceFile, $"neighbour is {neighbour.Width}×{neighbour.Height} but the slice is {center.Width}×{center.Height}");
        }

        return neighbour;
    }

    private static void RequireHu(SliceImage image, InputRecipe recipe)
    {
        if (image.Intensity != SliceIntensity.Hu)
        {
            throw new InputRecipeException(image.SourceFile, $"recipe '{recipe}' needs Hounsfield units (DICOM), but this is a display-windowed image (PNG/JPEG) without HU; use '{InputRecipe.GrayBrain}'");
        }
    }
}
