using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;
using Headsup.Series.Grouping;

namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// One converting thread's worker: loads the slices of a unit (a single instance, or a sorted series for recipes with
/// neighbours), builds each recipe tensor and writes it. Buffers live as long as the worker: at most three loaded
/// slices (previous, current, next) from the shared pools, a plane buffer (a tile of planes for E2) and one interleaved
/// output buffer.
/// </summary>
internal sealed class UnitConverter : IDisposable
{
    private readonly PreprocessOptions _options;
    private readonly IFrameDecoderRegistry _codecs;
    private readonly PreprocessTally _tally;
    private readonly RecipeBuilder _builder;
    private readonly TensorFileWriter _writer;
    private readonly Dictionary<int, LoadedSlice> _loaded = [];
    /// <summary>Pixels per E2 tile: three planes of it (48 kB) stay in the core's cache.</summary>
    private const int TilePixels = 4096;

    private float[] _planes = [];
    private float[] _pixels = [];
    private float[] _frameHu = [];

    public UnitConverter(PreprocessOptions options, IFrameDecoderRegistry codecs, PreprocessTally tally)
    {
        _options = options;
        _codecs = codecs;
        _tally = tally;
        _builder = new RecipeBuilder(options.Recipe);
        _writer = new TensorFileWriter(options.Format);
    }

    /// <summary>Whether an exception is a reported failure of one input (anything else is a bug and propagates).</summary>
    public static bool IsInputFailure(Exception ex) =>
        ex is DicomException or NotCtException or IOException or UnauthorizedAccessException or InvalidDataException;

    /// <summary>Converts every instance of <paramref name="unit"/> in order, reporting each one's failure.</summary>
    public void Convert(InstanceHeader[] unit, CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; i < unit.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Evict(i - 2);
                var instance = unit[i];
                try
                {
                    if (!string.Equals(instance.Modality, "CT", StringComparison.Ordinal))
                    {
                        throw new NotCtException($"modality '{instance.Modality}' is not CT: Hounsfield recipes do not apply");
                    }

                    var current = At(unit, i);
                    var before = i > 0 ? At(unit, i - 1).Require() : null;
                    var after = i + 1 < unit.Length ? At(unit, i + 1).Require() : null;
                    WriteFrames(instance, current, before, after);
                }
                catch (Exception ex) when (IsInputFailure(ex))
                {
                    _tally.Fail(instance.Source.Location, ex.Message);
                }

                _tally.ImageDone();
            }
        }
        finally
        {
            foreach (var slice in _loaded.Values)
            {
                slice.Dispose();
            }

            _loaded.Clear();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var slice in _loaded.Values)
        {
            slice.Dispose();
        }

        _loaded.Clear();
    }

    private LoadedSlice At(InstanceHeader[] unit, int index)
    {
        if (!_loaded.TryGetValue(index, out var slice))
        {
            slice = LoadedSlice.Load(unit[index].Source, _codecs, _options.ApplyRsnaCorrection);
            _loaded[index] = slice;
        }

        return slice;
    }

    private void Evict(int index)
    {
        if (_loaded.Remove(index, out var slice))
        {
            slice.Dispose();
        }
    }

    private void WriteFrames(InstanceHeader instance, LoadedSlice current, HuSlice? before, HuSlice? after)
    {
        var file = current.RequireFile();
        int frames = file.Dataset.TryGetInt32(DicomTags.NumberOfFrames, out var nf) ? nf : 1;
        for (int frame = 0; frame < frames; frame++)
        {
            HuSlice slice;
            if (frame == 0)
            {
                slice = current.Require();
            }
            else
            {
                var first = current.Require();
                Ensure(ref _frameHu, first.Rows * first.Columns);
                slice = current.LoadFrame(frame, _frameHu, _options.ApplyRsnaCorrection);
            }

            var suffix = frames > 1 ? string.Create(CultureInfo.InvariantCulture, $".frame{frame}") : string.Empty;
            var path = Path.Combine(_options.OutputFolder, instance.Source.Name + suffix + "." + _writer.Extension);
            _writer.Write(path, Build(slice, before, after));
            _tally.Wrote();
        }
    }

    /// <summary>
    /// The recipe tensor of a slice. Single-slice windows at the slice's own size (HU, E1, E2, E3: the common case and
    /// the paper's) are computed into this worker's planes with the same calls <see cref="RecipeBuilder.Build"/> makes;
    /// the rest (E4, context, crop, resize) go through <see cref="RecipeBuilder.Build"/>.
    /// </summary>
    private TensorPlanes Build(HuSlice slice, HuSlice? before, HuSlice? after)
    {
        var recipe = _options.Recipe;
        int rows = slice.Rows;
        int cols = slice.Columns;
        int plane = rows * cols;
        bool ownSize = !recipe.CropToHead && (recipe.Size is null || (recipe.Size == rows && recipe.Size == cols));
        if (ownSize)
        {
            var hu = slice.Hu.AsSpan(0, plane);
            switch (recipe.Kind)
            {
                case RecipeKind.Hu:
                    return new TensorPlanes(slice.Hu, 1, rows, cols);
                case RecipeKind.E1:
                    Ensure(ref _planes, plane);
                    WindowApplier.Apply(recipe.BrainWindow, hu, _planes.AsSpan(0, plane));
                    return new TensorPlanes(_planes, 1, rows, cols);
                case RecipeKind.E2:
                    return new TensorPlanes(WriteE2Pixels(hu, recipe), 3, rows, cols, interleaved: true);
                case RecipeKind.E3:
                    Ensure(ref _planes, 3 * plane);
                    RecipeBuilder.WriteE2(hu, _planes.AsSpan(0, 3 * plane), recipe);
                    return new TensorPlanes(RecipeBuilder.Quantize(_planes.AsSpan(0, 3 * plane), recipe.E3Mode), 3, rows, cols);
            }
        }

        var tensor = _builder.Build(slice, before, after);
        return tensor.Floats is { } floats
            ? new TensorPlanes(floats, tensor.Channels, tensor.Height, tensor.Width)
            : new TensorPlanes(tensor.Bytes!, tensor.Channels, tensor.Height, tensor.Width);
    }

    /// <summary>
    /// E2 as interleaved pixels, a tile at a time: <see cref="RecipeBuilder.WriteE2"/> writes a tile's three planes into
    /// a small buffer that stays in cache, and they are interleaved into the output. Windows are per pixel, so this is
    /// the same as windowing the whole plane and interleaving it, without the full-size planes' memory traffic.
    /// </summary>
    private float[] WriteE2Pixels(ReadOnlySpan<float> hu, RecipeOptions recipe)
    {
        Ensure(ref _pixels, 3 * hu.Length);
        Ensure(ref _planes, 3 * TilePixels);
        for (int start = 0; start < hu.Length; start += TilePixels)
        {
            int count = Math.Min(TilePixels, hu.Length - start);
            var tile = _planes.AsSpan(0, 3 * count);
            RecipeBuilder.WriteE2(hu.Slice(start, count), tile, recipe);
            ChannelInterleaver.Interleave<float>(tile, 3, _pixels.AsSpan(3 * start, 3 * count));
        }

        return _pixels;
    }

    private static void Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }

    /// <summary>The instance is not CT, so HU recipes do not apply.</summary>
    private sealed class NotCtException(string message) : Exception(message);
}
