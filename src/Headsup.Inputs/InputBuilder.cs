using Headsup.Imaging.Masks;
using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;

namespace Headsup.Inputs;

/// <summary>
/// Builds the model input (CHW float32 in [0,1]) so that display-windowed PNGs and DICOM HU slices look alike:
/// <list type="number">
/// <item>channels at full resolution: gray-brain = brain window 40/80 of HU, or display/255; e1–e4 = Imaging's
/// <see cref="RecipeBuilder"/> (E3 bytes /255); context = brain window of the previous, current and next slice (the centre
/// replicated where a neighbour is missing);</item>
/// <item>the head of the centre slice (<see cref="FindHead"/>) is cropped to its bounding box;</item>
/// <item>the crop is padded with 0 to a centred square (aspect kept) and area-resampled to Size × Size.</item>
/// </list>
/// </summary>
public static class InputBuilder
{
    /// <summary>HU above which a pixel may belong to the head (air and most of the table foam are below).</summary>
    public const float HeadThresholdHu = -200f;

    /// <summary>Display value above which a pixel may belong to the head (≈ 6 HU in the brain window).</summary>
    public const float HeadThresholdDisplay = 20f;

    /// <summary>Number of channels the recipe produces.</summary>
    public static int Channels(InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec.NormalizedRecipe switch
        {
            InputSpec.GrayBrain or "e1" => 1,
            _ => 3,
        };
    }

    /// <summary>Builds the input (channels × Size × Size, row-major planes).</summary>
    /// <exception cref="InputRecipeException">The recipe needs HU and an image is a display image, or a neighbour's size differs.</exception>
    public static float[] Build(SliceImage center, SliceImage? previous, SliceImage? next, InputSpec spec) => Build(center, previous, next, spec, null);

    /// <summary>Builds the input with a head box already found (<see cref="FindHead"/>; null = find it, or the whole image when there is no head).</summary>
    /// <exception cref="InputRecipeException">The recipe needs HU and an image is a display image, or a neighbour's size differs.</exception>
    public static float[] Build(SliceImage center, SliceImage? previous, SliceImage? next, InputSpec spec, PixelRect? headBox)
    {
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var recipe = spec.NormalizedRecipe;
        if (spec.NeedsHu)
        {
            RequireHu(center, recipe);
        }

        int w = center.Width, h = center.Height, plane = w * h;
        float[] planes;
        int channels = Channels(spec);
        switch (recipe)
        {
            case InputSpec.GrayBrain:
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

                break;
            case InputSpec.Context:
                planes = new float[3 * plane];
                var before = Neighbour(previous, center, recipe);
                var after = Neighbour(next, center, recipe);
                WindowApplier.Apply(HuWindow.Brain, before.Pixels, planes.AsSpan(0, plane));
                WindowApplier.Apply(HuWindow.Brain, center.Pixels, planes.AsSpan(plane, plane));
                WindowApplier.Apply(HuWindow.Brain, after.Pixels, planes.AsSpan(2 * plane, plane));
                break;
            default:
                var kind = recipe switch
                {
                    "e1" => RecipeKind.E1,
                    "e2" => RecipeKind.E2,
                    "e3" => RecipeKind.E3,
                    _ => RecipeKind.E4,
                };
                var tensor = new RecipeBuilder(new RecipeOptions { Kind = kind }).Build(new HuSlice(center.Pixels, h, w, center.SourceFile ?? "<memory>"));
                planes = tensor.Floats ?? tensor.Bytes!.Select(b => b / 255f).ToArray();
                break;
        }

        var box = headBox ?? FindHead(center) ?? new PixelRect(0, 0, w, h);
        return CropPadResize(planes, channels, w, h, box, spec.Size);
    }

    /// <summary>
    /// The tight bounding box of the head: the largest 4-connected region above <see cref="HeadThresholdHu"/> (HU) or
    /// above <see cref="HeadThresholdDisplay"/> (display; the mask is dilated by 2 pixels first so the scalp, separated from
    /// the skull by fat that the brain window shows black, stays with the head). Null when nothing is above the threshold.
    /// </summary>
    public static PixelRect? FindHead(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, n = w * h;
        var above = new byte[n];
        float threshold = image.Intensity == SliceIntensity.Hu ? HeadThresholdHu : HeadThresholdDisplay;
        for (int i = 0; i < n; i++)
        {
            above[i] = image.Pixels[i] > threshold ? (byte)1 : (byte)0;
        }

        var grown = image.Intensity == SliceIntensity.Display ? Morphology.Dilate(above, w, h, 2) : above;
        var (head, count) = Morphology.Largest(grown, w, h);
        if (count == 0)
        {
            return null;
        }

        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = (y * w) + x;
                if (head[i] != 0 && above[i] != 0)
                {
                    minX = Math.Min(minX, x);
                    maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y);
                    maxY = Math.Max(maxY, y);
                }
            }
        }

        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>Crops each plane to <paramref name="box"/>, pads it with 0 to a centred square and area-resamples it to size × size; values clamped to [0,1].</summary>
    public static float[] CropPadResize(float[] planes, int channels, int width, int height, PixelRect box, int size) =>
        CropPadResize(planes, channels, width, height, box, size, pad: 0f, clamp: true);

    /// <summary>
    /// Crops each plane to <paramref name="box"/>, pads it with <paramref name="pad"/> to a centred square and
    /// area-resamples it to size × size, clamping to [0,1] when <paramref name="clamp"/> (unclamped, HU stay HU).
    /// </summary>
    public static float[] CropPadResize(ReadOnlySpan<float> planes, int channels, int width, int height, PixelRect box, int size, float pad, bool clamp)
    {
        if (planes.Length != channels * width * height)
        {
            throw new ArgumentException($"{planes.Length} values do not make {channels} planes of {width}×{height}", nameof(planes));
        }

        int side = Math.Max(box.Width, box.Height);
        int offsetX = (side - box.Width) / 2;
        int offsetY = (side - box.Height) / 2;
        var square = new float[side * side];
        var output = new float[channels * size * size];
        for (int c = 0; c < channels; c++)
        {
            Array.Fill(square, pad);
            var source = planes.Slice(c * width * height, width * height);
            for (int y = 0; y < box.Height; y++)
            {
                source.Slice(((box.Y + y) * width) + box.X, box.Width).CopyTo(square.AsSpan(((offsetY + y) * side) + offsetX, box.Width));
            }

            var destination = output.AsSpan(c * size * size, size * size);
            Resizer.Resize(square, side, side, destination, size, size, ResizeMethod.Area);
            for (int i = 0; clamp && i < destination.Length; i++)
            {
                destination[i] = Math.Clamp(destination[i], 0f, 1f);
            }
        }

        return output;
    }

    private static SliceImage Neighbour(SliceImage? neighbour, SliceImage center, string recipe)
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

    private static void RequireHu(SliceImage image, string recipe)
    {
        if (image.Intensity != SliceIntensity.Hu)
        {
            throw new InputRecipeException(image.SourceFile, $"recipe '{recipe}' needs Hounsfield units (DICOM), but this is a display-windowed image (PNG/JPEG) without HU; use '{InputSpec.GrayBrain}'");
        }
    }
}
