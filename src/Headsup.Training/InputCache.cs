using Headsup.Inputs;
using Headsup.Datasets;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>One prepared model input with its labels.</summary>
public sealed record CachedInput
{
    /// <summary>The input, C×S×S, quantised to bytes (value = byte / 255).</summary>
    public required byte[] Data { get; init; }

    /// <summary>Any-hemorrhage label.</summary>
    public required int Any { get; init; }

    /// <summary>Subtype labels, null = unknown.</summary>
    public required IReadOnlyList<int?> Subtypes { get; init; }

    /// <summary>The sample it came from (for a synthetic positive: the negative it was made from).</summary>
    public required LabeledSample Sample { get; init; }

    /// <summary>True for a lesion inserted into a negative slice.</summary>
    public bool Synthetic { get; init; }
}

/// <summary>A problem with one sample; the rest go on.</summary>
public sealed record SampleProblem(string File, string Message);

/// <summary>
/// Model inputs prepared once (decode, window, crop, resize) and kept as bytes, so epochs only augment. Bytes keep
/// the brain window's 80 HU in 255 steps (0.3 HU), below CT noise; memory is C·S² bytes a sample (64 KiB at 256²,
/// gray), which keeps 6,000 RSNA slices under 1.2 GiB even with three channels.
/// </summary>
public sealed class InputCache
{
    private readonly List<CachedInput> _items = [];

    public InputCache(InputSpec spec)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        Channels = spec.Channels;
    }

    /// <summary>The input recipe and size.</summary>
    public InputSpec Spec { get; }

    /// <summary>Channels per input.</summary>
    public int Channels { get; }

    /// <summary>The prepared inputs.</summary>
    public IReadOnlyList<CachedInput> Items => _items;

    /// <summary>Number of inputs.</summary>
    public int Count => _items.Count;

    /// <summary>Positives among the inputs.</summary>
    public int Positives => _items.Count(i => i.Any == 1);

    /// <summary>
    /// Prepares <paramref name="samples"/> (in parallel, order kept). Samples that cannot be read are reported in
    /// <paramref name="problems"/> and left out. <paramref name="progress"/> gets the count done.
    /// </summary>
    public static InputCache Build(IReadOnlyList<LabeledSample> samples, InputSpec spec, ICollection<SampleProblem> problems, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        Build(samples, spec, problems, null, progress, cancellationToken);

    /// <summary>
    /// As <see cref="Build(IReadOnlyList{LabeledSample}, InputSpec, ICollection{SampleProblem}, IProgress{int}?, CancellationToken)"/>,
    /// with every image (neighbours too) passed through <paramref name="transform"/> after loading, e.g. rendered as the
    /// display image an export would carry (<see cref="DisplayRendering"/>).
    /// </summary>
    public static InputCache Build(IReadOnlyList<LabeledSample> samples, InputSpec spec, ICollection<SampleProblem> problems, Func<SliceImage, SliceImage>? transform, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        Func<LabeledSample, SliceImage> load = transform is null ? SampleImages.Load : s => transform(SampleImages.Load(s));
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(problems);
        var cache = new InputCache(spec);
        var neighbours = spec.NeedsNeighbours ? SampleNeighbours.Resolve(samples) : null;
        var results = new CachedInput?[samples.Count];
        var errors = new SampleProblem?[samples.Count];
        int done = 0;
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken }, i =>
        {
            var sample = samples[i];
            try
            {
                var around = neighbours?[i] ?? default;
                var stack = SliceStack.Read(sample, around.Previous, around.Next, spec.Recipe, load);
                var data = InputBuilder.Build(stack, spec).ToBytes();
                results[i] = new CachedInput { Data = data, Any = sample.Any, Subtypes = sample.Subtypes, Sample = sample };
            }
            catch (Exception ex) when (ex is InputException or DatasetException or Headsup.Dicom.DicomException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                errors[i] = new SampleProblem(sample.File, ex.Message);
            }

            progress?.Report(Interlocked.Increment(ref done));
        });
        foreach (var error in errors)
        {
            if (error is not null)
            {
                problems.Add(error);
            }
        }

        foreach (var result in results)
        {
            if (result is not null)
            {
                cache._items.Add(result);
            }
        }

        return cache;
    }

    /// <summary>Adds a prepared input.</summary>
    public void Add(CachedInput item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Data.Length != Channels * Spec.Size * Spec.Size)
        {
            throw new ArgumentException($"input has {item.Data.Length} values, expected {Channels * Spec.Size * Spec.Size}", nameof(item));
        }

        _items.Add(item);
    }

    /// <summary>Removes every synthetic input (lesion insertions); returns how many.</summary>
    public int RemoveSynthetic() => _items.RemoveAll(i => i.Synthetic);

    /// <summary>
    /// The input (as bytes) for <paramref name="center"/>, an image already in memory (e.g. a negative with an inserted
    /// lesion): its neighbours are read as <see cref="SliceStack.Read"/> reads them when the recipe needs them.
    /// </summary>
    public byte[] Prepare(SliceImage center, Neighbours neighbours) =>
        InputBuilder.Build(SliceStack.Read<object>(center, neighbours.Previous, neighbours.Next, Spec.Recipe, LoadNeighbour), Spec).ToBytes();

    /// <summary>Quantises a [0, 1] input to its levels (<see cref="InputQuantisation"/>).</summary>
    public static byte[] Quantise(float[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bytes = new byte[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            bytes[i] = InputQuantisation.Level(input[i]);
        }

        return bytes;
    }

    /// <summary>Stacks the inputs at <paramref name="indices"/> into an N×C×S×S float tensor in [0, 1].</summary>
    public Tensor Inputs(ReadOnlySpan<int> indices)
    {
        int per = Channels * Spec.Size * Spec.Size;
        var buffer = new byte[indices.Length * per];
        for (int i = 0; i < indices.Length; i++)
        {
            _items[indices[i]].Data.CopyTo(buffer, i * per);
        }

        using var bytes = tensor(buffer, new long[] { indices.Length, Channels, Spec.Size, Spec.Size }, ScalarType.Byte);
        using var scale = tensor(InputQuantisation.Step);
        return bytes.to_type(ScalarType.Float32).mul_(scale);
    }

    /// <summary>
    /// Targets (N×outputs) and a mask (1 where the label is known) for the inputs at <paramref name="indices"/>;
    /// output 0 is any, outputs 1–5 the subtypes when <paramref name="outputs"/> is 6.
    /// </summary>
    public (Tensor Targets, Tensor Mask) Targets(ReadOnlySpan<int> indices, int outputs)
    {
        var targets = new float[indices.Length * outputs];
        var mask = new float[indices.Length * outputs];
        for (int i = 0; i < indices.Length; i++)
        {
            var item = _items[indices[i]];
            targets[i * outputs] = item.Any;
            mask[i * outputs] = 1;
            for (int s = 1; s < outputs; s++)
            {
                int? value = item.Any == 0 ? 0 : item.Subtypes.Count >= s ? item.Subtypes[s - 1] : null;
                if (value is int v)
                {
                    targets[(i * outputs) + s] = v;
                    mask[(i * outputs) + s] = 1;
                }
            }
        }

        return (tensor(targets, new long[] { indices.Length, outputs }), tensor(mask, new long[] { indices.Length, outputs }));
    }

    private static SliceImage LoadNeighbour(object slice) => slice switch
    {
        SliceImage image => image,
        LabeledSample sample => SampleImages.Load(sample),
        _ => throw new ArgumentException("not a slice", nameof(slice)),
    };
}
