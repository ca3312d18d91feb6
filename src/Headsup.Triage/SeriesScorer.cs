using Headsup.Inputs;
using Headsup.Dicom;
using Headsup.Models;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Series;
using Headsup.Series.Sorting;
using Headsup.Series.Sources;
using Headsup.Evaluation.Calibration;

namespace Headsup.Triage;

/// <summary>A slice read from its DICOM file, in HU.</summary>
/// <param name="Index">Index in the sorted series.</param>
/// <param name="Slice">The sorted slice (header and position).</param>
/// <param name="Image">HU image.</param>
/// <param name="File">The parsed file (kept only while needed).</param>
public sealed record LoadedSlice(int Index, SortedSlice Slice, SliceImage Image, DicomFile File);

/// <summary>What scoring one series gave.</summary>
/// <param name="Slices">Scored slices, in series order.</param>
/// <param name="Indices">Index in the sorted series of each scored slice.</param>
/// <param name="Failed">Slices that could not be read or scored.</param>
/// <param name="Source">The first readable instance's data set (patient and study modules for derived objects).</param>
/// <param name="Seconds">Time spent reading and decoding, preparing inputs and brain masks, and in the network.</param>
public sealed record ScoredSeries(IReadOnlyList<SliceResult> Slices, IReadOnlyList<int> Indices, IReadOnlyList<FailedSlice> Failed, DicomDataset? Source, IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// Reads the slices of a sorted series one after another (at most three decoded at a time: the neighbours the context
/// recipe needs), builds the model input and the brain mask at input size, and scores them in batches. Memory stays
/// bounded by the batch, whatever the series length.
/// </summary>
public sealed class SeriesScorer : IDisposable
{
    private readonly ModelPackage _package;
    private readonly InputSpec _spec;
    private readonly ClassifierNetwork _network;

    /// <summary>Creates a scorer for a loaded package, scoring in <paramref name="precision"/> (default: <see cref="InferencePrecisions.Default"/>).</summary>
    public SeriesScorer(ModelPackage package, InferencePrecision? precision = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        _package = package;
        Precision = precision ?? InferencePrecisions.Default();
        _spec = package.InputSpec;

        _network = InferencePrecisions.Convert(package.Network, Precision);
    }

    /// <summary>Side of the brain mask used for slice areas (half the input: 6× faster than at input size, same area within a few %).</summary>
    public int AreaMaskSize => Math.Max(32, _spec.Size / 2);

    /// <summary>The network that scores slices: the package's, or its bfloat16 copy.</summary>
    public ClassifierNetwork Network => _network;

    /// <summary>The training inputs' profile of the package, when it has one.</summary>
    public InputProfile? InputProfile => _package.InputProfile;

    /// <summary>The number format slices are scored in.</summary>
    public InferencePrecision Precision { get; }

    /// <summary>The input recipe and size.</summary>
    public InputSpec Spec => _spec;

    /// <summary>Reads one single-frame slice as HU.</summary>
    /// <exception cref="SliceImageException">The file cannot be read or decoded, or holds several frames.</exception>
    public static LoadedSlice Load(SortedSlice slice, int index)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var location = slice.Instance.Source.Location;
        DicomFile file;
        try
        {
            file = slice.Instance.Source.Open();
        }
        catch (Exception ex) when (ex is DicomException or IOException or UnauthorizedAccessException or InvalidDataException or ArchiveException)
        {
            throw new SliceImageException(location, ex.Message, ex);
        }

        int frames = file.Dataset.TryGetInt32(DicomTags.NumberOfFrames, out var n) && n > 0 ? n : 1;
        if (frames != 1)
        {
            throw new SliceImageException(location, $"multi-frame instance ({frames} frames): only single-frame CT slices are analysed");
        }

        return new LoadedSlice(index, slice, SliceImageLoader.Load(file, location), file);
    }

    /// <summary>The network input (C×S×S, with its frame) and the brain mask of the centre slice at <paramref name="maskSize"/>² (default S).</summary>
    /// <exception cref="InputRecipeException">The recipe needs HU and the image is a display image, or neighbours differ in size.</exception>
    public (NetworkInput Input, byte[] Brain) Prepare(SliceStack stack, int? maskSize = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var input = InputBuilder.Build(stack, _spec);
        var center = stack.Center;
        bool hu = center.Intensity == SliceIntensity.Hu;
        int m = maskSize ?? _spec.Size;
        var resampled = (input.Frame with { Size = m }).ToInput(center.Pixels, hu ? -1000f : 0f);
        var brain = BrainMask.Compute(new SliceImage(resampled, m, m, center.Intensity));
        return (input, brain);
    }

    /// <summary>
    /// Reads slice <paramref name="index"/> of <paramref name="series"/> with the neighbours the recipe needs, through
    /// <paramref name="load"/> (which may cache); a neighbour that cannot be read is left out.
    /// </summary>
    /// <exception cref="SliceImageException">The slice itself cannot be read.</exception>
    public SliceStack Read(SortedSeries series, int index, Func<int, SliceImage> load)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(load);
        int? previous = index > 0 ? index - 1 : null;
        int? next = index + 1 < series.Slices.Count ? index + 1 : null;
        return SliceStack.Read<int?>(index, previous, next, _spec.Recipe, i => load(i!.Value));
    }

    /// <summary>Scores every slice of <paramref name="series"/>; unreadable slices are reported and the rest scored.</summary>
    public ScoredSeries Score(SortedSeries series, int batchSize, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var manifest = _package.Manifest;
        int size = _spec.Size, channels = manifest.Input.Channels, plane = channels * size * size;
        var slices = series.Slices;
        var results = new List<SliceResult>(slices.Count);
        var indices = new List<int>(slices.Count);
        var failed = new List<FailedSlice>();
        DicomDataset? source = null;

        var batch = new float[batchSize * plane];
        var pending = new List<(int Index, SortedSlice Slice, double AreaCm2)>(batchSize);
        var loaded = new Dictionary<int, (LoadedSlice? Slice, SliceImageException? Error)>();
        var readClock = new System.Diagnostics.Stopwatch();
        var prepareClock = new System.Diagnostics.Stopwatch();
        var networkClock = new System.Diagnostics.Stopwatch();

        // Each slice is decoded once: at most three are kept (the neighbours the context recipe needs); a failure is
        // kept too, reported once when the slice is the centre, and leaves the slice out as a neighbour.
        LoadedSlice Get(int i)
        {
            if (!loaded.TryGetValue(i, out var value))
            {
                try
                {
                    readClock.Start();
                    value = (Load(slices[i], i), null);
                }
                catch (SliceImageException ex)
                {
                    value = (null, ex);
                }
                finally
                {
                    readClock.Stop();
                }

                loaded[i] = value;
            }

            return value.Slice ?? throw value.Error!;
        }

        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            networkClock.Start();
            var profile = _package.InputProfile;
            float[][] logits, features = [];
            if (profile is null)
            {
                logits = Predictor.Logits(_network, batch, pending.Count, channels, size, InferencePrecisions.ScalarType(Precision), _package.TestTimeAugmentation);
            }
            else
            {
                (logits, features) = Predictor.LogitsAndFeatures(_network, batch, pending.Count, channels, size, InferencePrecisions.ScalarType(Precision), _package.TestTimeAugmentation);
            }

            networkClock.Stop();
            for (int b = 0; b < pending.Count; b++)
            {
                var (index, slice, area) = pending[b];
                Dictionary<string, double>? subtypes = null;
                if (manifest.Outputs.Count > 1)
                {
                    subtypes = new Dictionary<string, double>(StringComparer.Ordinal);
                    for (int o = 1; o < manifest.Outputs.Count; o++)
                    {
                        subtypes[manifest.Outputs[o]] = PlattScaling.Sigmoid(logits[b][o]);
                    }
                }

                results.Add(new SliceResult
                {
                    SopInstanceUid = slice.Instance.SopInstanceUid,
                    File = slice.Instance.Source.Location,
                    InstanceNumber = slice.Instance.InstanceNumber,
                    Z = slice.PositionMm,
                    Probability = manifest.Calibration.Apply(logits[b][0]),
                    Subtypes = subtypes,
                    BrainAreaCm2 = area,
                    FeatureDistance = profile is null ? null : profile.Distance(features[b]),
                });
                indices.Add(index);
            }

            pending.Clear();
        }

        for (int i = 0; i < slices.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stack = Read(series, i, j => Get(j).Image);
                source ??= Get(i).File.Dataset;
                prepareClock.Start();
                var (input, brain) = Prepare(stack, AreaMaskSize);
                input.Values.CopyTo(batch, pending.Count * plane);
                double pixelMm = (stack.Center.PixelSpacingMm ?? 0.5) * input.Frame.Side / AreaMaskSize;
                double area = BrainMask.AreaCm2(brain, pixelMm);
                pending.Add((i, slices[i], area));
            }
            catch (InputException ex)
            {
                var h = slices[i].Instance;
                failed.Add(new FailedSlice(h.Source.Location, h.SopInstanceUid, h.InstanceNumber, ex.Problem));
            }
            finally
            {
                prepareClock.Stop();
            }

            loaded.Remove(i - 1);
            if (pending.Count == batchSize)
            {
                Flush();
            }

            progress?.Report(i + 1);
        }

        Flush();
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["read"] = Math.Round(readClock.Elapsed.TotalSeconds, 3),
            ["prepare"] = Math.Round(prepareClock.Elapsed.TotalSeconds, 3),
            ["network"] = Math.Round(networkClock.Elapsed.TotalSeconds, 3),
        };
        return new ScoredSeries(results, indices, failed, source, seconds);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!ReferenceEquals(_network, _package.Network))
        {
            _network.Dispose();
        }
    }
}
