using Headsup.Models;
using Headsup.Inputs;
using Headsup.Datasets;
using Headsup.Evaluation.Calibration;
using Headsup.Models.Packaging;
using Headsup.Training;

namespace Headsup.Training.Evaluation;

/// <summary>One scored row: a slice, or a study at study level.</summary>
/// <param name="Id">The slice's file, or the study's id.</param>
/// <param name="Label">0 or 1.</param>
/// <param name="Probability">Calibrated probability of any hemorrhage.</param>
/// <param name="Subtypes">Subtype probabilities.</param>
/// <param name="Slices">Slices scored (1 for a slice row).</param>
/// <param name="Frame">The frame of a multi-frame file (0 otherwise, and for study rows).</param>
public sealed record ScoredRow(string Id, int Label, double Probability, IReadOnlyDictionary<string, double> Subtypes, int Slices = 1, int Frame = 0);

/// <summary>Scores labelled samples with a package, at slice or study level.</summary>
public static class ModelEvaluator
{
    /// <summary>Calibrated slice probabilities for every sample that loads (problems reported, the rest scored).</summary>
    public static IReadOnlyList<ScoredRow> ScoreSlices(ModelPackage package, IReadOnlyList<LabeledSample> samples, ICollection<SampleProblem> problems, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        ScoreSlices(package, samples, problems, null, progress, cancellationToken);

    /// <summary>As the overload without <paramref name="transform"/>, each image passed through it after loading (see <see cref="InputCache.Build(IReadOnlyList{LabeledSample}, InputSpec, ICollection{SampleProblem}, Func{SliceImage, SliceImage}?, IProgress{int}?, CancellationToken)"/>).</summary>
    public static IReadOnlyList<ScoredRow> ScoreSlices(ModelPackage package, IReadOnlyList<LabeledSample> samples, ICollection<SampleProblem> problems, Func<SliceImage, SliceImage>? transform, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        var spec = package.InputSpec;
        var cache = InputCache.Build(samples, spec, problems, transform, progress, cancellationToken);
        if (cache.Channels != manifest.Input.Channels)
        {
            throw new ModelException(package.Location, $"recipe {spec.Recipe} gives {cache.Channels} channels but the network takes {manifest.Input.Channels}");
        }

        var logits = CachePredictor.Logits(package.Network, cache, augmentation: package.TestTimeAugmentation);
        var rows = new List<ScoredRow>(cache.Count);
        for (int i = 0; i < cache.Count; i++)
        {
            var item = cache.Items[i];
            var subtypes = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int o = 1; o < manifest.Outputs.Count; o++)
            {
                subtypes[manifest.Outputs[o]] = PlattScaling.Sigmoid(logits[i][o]);
            }

            rows.Add(new ScoredRow(item.Sample.File, item.Any, manifest.Calibration.Apply(logits[i][0]), subtypes, Frame: item.Sample.Frame));
        }

        return rows;
    }

    /// <summary>
    /// Study-level rows: slices grouped by study (StudyId, else the sample's own file); label = the study label
    /// (<see cref="LabeledSample.StudyAny"/>) when given, else whether any slice with a known label is positive;
    /// probability by the package's study aggregation; subtype scores are the maximum over slices.
    /// </summary>
    public static IReadOnlyList<ScoredRow> ToStudies(IReadOnlyList<ScoredRow> slices, IReadOnlyList<LabeledSample> samples, StudyAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(samples);
        var sampleOf = samples.GroupBy(s => s.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rows = new List<ScoredRow>();
        foreach (var g in slices.GroupBy(r => sampleOf.TryGetValue(r.Id, out var s) ? s.StudyId ?? r.Id : r.Id, StringComparer.Ordinal))
        {
            // Series order (z, else instance number, else as listed) for the contiguity-aware aggregation.
            var list = g.Select((r, i) => (Row: r, Index: i, Sample: sampleOf.GetValueOrDefault(r.Id)))
                .OrderBy(x => x.Sample?.Z ?? x.Sample?.InstanceNumber ?? double.NaN).ThenBy(x => x.Index).Select(x => x.Row).ToList();
            var members = list.Select(r => sampleOf.GetValueOrDefault(r.Id)).OfType<LabeledSample>().ToList();
            int? label = members.Select(m => m.StudyAny).FirstOrDefault(v => v is not null);
            if (label is null)
            {
                var known = members.Where(m => m.AnyKnown).ToList();
                if (known.Count == 0)
                {
                    continue; // no label at all: cannot be evaluated
                }

                label = known.Max(m => m.Any);
            }

            var subtypes = list[0].Subtypes.Keys.ToDictionary(n => n, n => list.Max(r => r.Subtypes[n]), StringComparer.Ordinal);
            rows.Add(new ScoredRow(g.Key, label.Value, StudyAggregator.Aggregate(list.Select(r => r.Probability).ToList(), aggregation), subtypes, list.Count));
        }

        return rows.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
    }
}
