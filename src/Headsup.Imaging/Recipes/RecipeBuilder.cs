using Headsup.Imaging.Geometry;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;

namespace Headsup.Imaging.Recipes;

/// <summary>
/// Turns HU slices into a recipe tensor: optional crop to the head, windows, E3/E4 channel maths, then resize.
/// Windows are applied before resizing, as the paper resized windowed images.
/// </summary>
public sealed class RecipeBuilder
{
    private readonly RecipeOptions _options;

    /// <summary>Creates the builder.</summary>
    public RecipeBuilder(RecipeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size is <= 0 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, "size must be 1..4096");
        }

        _options = options;
    }

    /// <summary>The options.</summary>
    public RecipeOptions Options => _options;

    /// <summary>
    /// Builds the tensor for <paramref name="slice"/>. For <see cref="RecipeKind.Context"/>, <paramref name="previous"/>
    /// and <paramref name="next"/> are the neighbours in the sorted series (null at the ends: the slice itself is repeated).
    /// </summary>
    public RecipeTensor Build(HuSlice slice, HuSlice? previous = null, HuSlice? next = null)
    {
        ArgumentNullException.ThrowIfNull(slice);
        int rows = slice.Rows;
        int cols = slice.Columns;
        var crop = _options.CropToHead ? HeadCropper.Find(slice.Hu.AsSpan(0, rows * cols), rows, cols) : null;
        int h = crop?.Height ?? rows;
        int w = crop?.Width ?? cols;
        int outH = _options.Size ?? h;
        int outW = _options.Size ?? w;

        float[] Prepare(HuSlice s)
        {
            if (s.Rows != rows || s.Columns != cols)
            {
                throw new ArgumentException($"{s.SourceName}: neighbour is {s.Rows}×{s.Columns}, slice is {rows}×{cols}");
            }

            return crop is { } r ? HeadCropper.Crop(s.Hu, cols, r) : s.Hu;
        }

        var center = Prepare(slice);
        int plane = h * w;
        int outPlane = outH * outW;
        int channels = _options.Channels;
        var planes = new float[channels * plane];
        switch (_options.Kind)
        {
            case RecipeKind.Hu:
                center.AsSpan(0, plane).CopyTo(planes);
                break;
            case RecipeKind.E1:
                WindowApplier.Apply(_options.BrainWindow, center.AsSpan(0, plane), planes);
                break;
            case RecipeKind.E2:
            case RecipeKind.E3:
                WriteE2(center.AsSpan(0, plane), planes, _options);
                break;
            case RecipeKind.E4:
                WriteE4(center.AsSpan(0, plane), planes);
                break;
            case RecipeKind.Context:
                var before = previous is null ? center : Prepare(previous);
                var after = next is null ? center : Prepare(next);
                WriteContext([before, center, after], plane, planes);
                break;
            default:
                throw new InvalidOperationException("unknown recipe");
        }

        var output = new float[channels * outPlane];
        if (outH == h && outW == w)
        {
            output = planes;
        }
        else
        {
            for (int c = 0; c < channels; c++)
            {
                Resizer.Resize(planes.AsSpan(c * plane, plane), h, w, output.AsSpan(c * outPlane, outPlane), outH, outW, _options.ResizeMethod);
            }
        }

        if (_options.Kind == RecipeKind.E3)
        {
            return new RecipeTensor(Quantize(output, _options.E3Mode), channels, outH, outW);
        }

        return new RecipeTensor(output, channels, outH, outW);
    }

    /// <summary>
    /// E2 straight into a caller's CHW buffer (3 × rows × columns), no crop or resize: the allocation-free hot path.
    /// </summary>
    public static void WriteE2(ReadOnlySpan<float> hu, Span<float> chw, RecipeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int plane = hu.Length;
        WindowApplier.Apply(options.BrainWindow, hu, chw[..plane]);
        WindowApplier.Apply(options.SubduralWindow, hu, chw.Slice(plane, plane));
        WindowApplier.Apply(options.SoftTissueWindow, hu, chw.Slice(2 * plane, plane));
    }

    /// <summary>Quantises [0,1] floats to bytes as E3 does.</summary>
    public static byte[] Quantize(ReadOnlySpan<float> values, E3Quantization mode)
    {
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = Math.Clamp(values[i], 0f, 1f);
            bytes[i] = mode == E3Quantization.Rounded ? (byte)MathF.Round(v * 255f, MidpointRounding.ToEven) : (byte)v;
        }

        return bytes;
    }

    private void WriteE4(ReadOnlySpan<float> hu, Span<float> planes)
    {
        int plane = hu.Length;
        var red = planes[..plane];
        var green = planes.Slice(plane, plane);
        var blue = planes.Slice(2 * plane, plane);
        WindowApplier.Apply(_options.BrainWindow, hu, red);
        WindowApplier.Apply(_options.SubduralWindow, hu, green);
        WindowApplier.Apply(_options.SoftTissueWindow, hu, blue);
        float alpha = _options.E4RedWeight;
        float beta = _options.E4GreenBlueWeight;
        for (int i = 0; i < plane; i++)
        {
            float mean = (red[i] + green[i] + blue[i]) / 3f;
            red[i] = alpha * mean;
            green[i] = beta * mean;
            blue[i] = beta * mean;
        }
    }

    private void WriteContext(float[][] slices, int plane, Span<float> planes)
    {
        int c = 0;
        foreach (var s in slices)
        {
            var hu = s.AsSpan(0, plane);
            WindowApplier.Apply(_options.BrainWindow, hu, planes.Slice(c++ * plane, plane));
            if (_options.ContextChannels == ContextChannels.ThreeWindows)
            {
                WindowApplier.Apply(_options.SubduralWindow, hu, planes.Slice(c++ * plane, plane));
                WindowApplier.Apply(_options.SoftTissueWindow, hu, planes.Slice(c++ * plane, plane));
            }
        }
    }
}
