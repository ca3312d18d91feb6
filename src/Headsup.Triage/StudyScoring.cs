using Headsup.Models;
using Headsup.Models.Packaging;

namespace Headsup.Triage;

/// <summary>A study's score from its slices.</summary>
/// <param name="Probability">Calibrated study probability (NaN when no slice was scored).</param>
/// <param name="Slices">The slices with <see cref="SliceResult.InStudyScore"/> set.</param>
/// <param name="KeySlices">Indices into <paramref name="Slices"/> of the key slices, best first.</param>
/// <param name="Subtypes">Per-subtype study scores.</param>
public sealed record StudyScore(double Probability, IReadOnlyList<SliceResult> Slices, IReadOnlyList<int> KeySlices, IReadOnlyDictionary<string, double> Subtypes);

/// <summary>
/// Slice results → study probability, key slices and subtype scores. Slices with an intracranial area below
/// <c>minBrainFraction</c> × the series' largest are reported but not counted (the vertex and skull base, where bone
/// and air cells cause most false positives); the remaining slices' calibrated probabilities are aggregated by the
/// package's <see cref="StudyAggregation"/> (top-k mean, then the study calibration). Key slices are the k most probable
/// counted slices; subtype study scores aggregate the subtype probabilities of the counted slices the same way, without
/// the study calibration (it was fitted for "any").
/// </summary>
public static class StudyScoring
{
    /// <summary>Scores a study.</summary>
    public static StudyScore Score(IReadOnlyList<SliceResult> slices, StudyAggregation aggregation, double minBrainFraction, int keySlices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(aggregation);
        if (slices.Count == 0)
        {
            return new StudyScore(double.NaN, slices, [], new Dictionary<string, double>());
        }

        double largest = slices.Max(s => s.BrainAreaCm2);
        var marked = slices.Select(s => s with { InStudyScore = largest <= 0 || s.BrainAreaCm2 >= minBrainFraction * largest }).ToList();
        var counted = Enumerable.Range(0, marked.Count).Where(i => marked[i].InStudyScore).ToList();
        double probability = StudyAggregator.Aggregate(counted.Select(i => marked[i].Probability).ToList(), aggregation);
        var keys = counted.OrderByDescending(i => marked[i].Probability).ThenBy(i => i).Take(Math.Max(0, keySlices)).ToList();
        var subtypes = new Dictionary<string, double>(StringComparer.Ordinal);
        if (marked[0].Subtypes is { } names)
        {
            var uncalibrated = aggregation with { Calibration = new PlattParameters() };
            foreach (var name in names.Keys)
            {
                subtypes[name] = StudyAggregator.Aggregate(counted.Select(i => marked[i].Subtypes![name]).ToList(), uncalibrated);
            }
        }

        return new StudyScore(probability, marked, keys, subtypes);
    }
}
