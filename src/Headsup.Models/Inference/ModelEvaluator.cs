using Headsup.Datasets;
using Headsup.Models.Packaging;
using Headsup.Models.Training;

namespace Headsup.Models;

/// <summary>One scored row: a slice, or a study at study level.</summary>
public sealed record ScoredRow(string Id, int Label, double Probability, IReadOnlyDictionary<string, double> Subtypes, int Slices = 1);

/// <summary>Scores labelled samples with a package, at slice or study level.</summary>
public static class ModelEvaluator
{
    /// <summary>Calibrated slice probabilities for every sample that loads (problems reported, the rest scored).</summary>
    public static IReadOnlyList<ScoredRow> ScoreSlices(ModelPackage package, IReadOnlyList<LabeledSample> samples, ICollection<SampleProblem> problems, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        var manifest = package.Manifest;
        var spec = new InputSpec(manifest.Input.Recipe, manifest.Input.Size);
        var cache = InputCache.Build(samples, spec, problems, progress, cancellationToken);
        if (cache.Channels != manifest.Input.Channels)
        {
            throw new ModelException(package.Location, $"recipe {spec.Recipe} gives {cache.Channels} channels but the network takes {manifest.Input.Channels}");
        }

        var logits = Predictor.Logits(package.Network, cache);
        var rows = new List<ScoredRow>(cache.Count);
        for (int i = 0; i < cache.Count; i++)
        {
            var item = cache.Items[i];
            var subtypes = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int o = 1; o < manifest.Outputs.Count; o++)
            {
                subtypes[manifest.Outputs[o]] = 1.0 / (1.0 + Math.Exp(-logits[i][o]));
            }

            rows.Add(new ScoredRow(item.Sample.File, item.Any, manifest.Calibration.Apply(logits[i][0]), subtypes));
        }

        return rows;
    }

    /// <summary>
    /// Study-level rows: slices grouped by study (StudyId, else the sample's own file), label = any slice positive,
    /// probability by the package's study aggregation; subtype scores are the maximum over slices.
    /// </summary>
    public static IReadOnlyList<ScoredRow> ToStudies(IReadOnlyList<ScoredRow> slices, IReadOnlyList<LabeledSample> samples, StudyAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(samples);
        var studyOf = samples.GroupBy(s => s.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().StudyId ?? g.Key, StringComparer.Ordinal);
        return slices
            .GroupBy(r => studyOf.TryGetValue(r.Id, out var study) ? study : r.Id, StringComparer.Ordinal)
            .Select(g =>
            {
                var list = g.ToList();
                var subtypeNames = list[0].Subtypes.Keys;
                var subtypes = subtypeNames.ToDictionary(n => n, n => list.Max(r => r.Subtypes[n]), StringComparer.Ordinal);
                return new ScoredRow(g.Key, list.Max(r => r.Label), StudyAggregator.Aggregate(list.Select(r => r.Probability).ToList(), aggregation), subtypes, list.Count);
            })
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }
}
