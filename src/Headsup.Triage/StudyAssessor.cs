using Headsup.Series.Grouping;
using System.Diagnostics;
using Headsup.Core.Progress;
using Headsup.Models.Packaging;
using Headsup.Series;
using Headsup.Series.Selection;
using Headsup.Series.Sorting;

namespace Headsup.Triage;

/// <summary>What scoring one study gave, before any explanation or output.</summary>
/// <param name="Result">The study entry of results.json without outputs (probability, decision, key slices, slices, problems).</param>
/// <param name="Series">The selected series, sorted (null when none could be used).</param>
/// <param name="Scored">The scored slices (null when no series was selected).</param>
/// <param name="Score">The study score (null when nothing could be scored).</param>
/// <param name="Seconds">Time to select, read and score.</param>
public sealed record StudyAssessment(StudyResult Result, SortedSeries? Series, ScoredSeries? Scored, StudyScore? Score, double Seconds);

/// <summary>
/// The score and aggregate stages of a triage: select the study's series (<see cref="SeriesSelector"/>), score its slices
/// (<see cref="SeriesScorer"/>), and turn them into a calibrated study probability with key slices
/// (<see cref="StudyScoring"/>). Detect, the study calibration and study-level evaluation all score studies through this.
/// </summary>
public sealed class StudyAssessor
{
    private readonly SeriesScorer _scorer;
    private readonly StudyAggregation _aggregation;
    private readonly SeriesSelector _selector = new();

    /// <summary>Creates the stage for a scorer and the package's study aggregation.</summary>
    public StudyAssessor(SeriesScorer scorer, StudyAggregation aggregation)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        _aggregation = aggregation ?? throw new ArgumentNullException(nameof(aggregation));
    }

    /// <summary>Scores one study; <paramref name="threshold"/> decides <see cref="StudyResult.Positive"/>.</summary>
    public StudyAssessment Assess(DicomStudy study, double threshold, TriageOptions options, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var selection = _selector.Select(study);
        var skipped = selection.Rejected.Select(r => new SkippedSeries(
            r.Series.Series.SeriesInstanceUid,
            r.Series.Series.SeriesNumber,
            r.Series.Series.SeriesDescription,
            r.Series.Series.Instances.Count,
            r.Reasons.Select(x => x.ToString()).ToList())).ToList();
        if (selection.Selected is not { } series)
        {
            var none = new StudyResult
            {
                StudyInstanceUid = study.StudyInstanceUid,
                Threshold = threshold,
                Skipped = skipped,
                Error = "no usable series: " + selection.Explanation,
            };
            return new StudyAssessment(none, null, null, null, clock.Elapsed.TotalSeconds);
        }

        var scored = _scorer.Score(series, options.BatchSize, progress is null ? null : new SyncProgress<int>(d => progress.Report((d, series.Slices.Count))), cancellationToken);
        bool partial = scored.Failed.Count > 0 || series.Has(SeriesProblemKind.Gap) || series.Has(SeriesProblemKind.MissingPosition);
        var result = new StudyResult
        {
            StudyInstanceUid = study.StudyInstanceUid,
            SeriesInstanceUid = series.Series.SeriesInstanceUid,
            SeriesDescription = series.Series.SeriesDescription,
            Selection = selection.Explanation,
            Threshold = threshold,
            Calibration = _aggregation.Status,
            CalibrationDetail = _aggregation.Decides ? null : (options.Threshold is null ? "no decision: " : "decided at the threshold given, not a fitted one: ") + (_aggregation.StatusDetail ?? "the model's study calibration rests on too few real studies"),
            Skipped = skipped,
            FailedSlices = scored.Failed,
            SeriesProblems = series.Problems.Select(p => p.ToString()).ToList(),
            Partial = partial,
        };
        if (scored.Slices.Count == 0)
        {
            result = result with { Error = $"none of the {series.Slices.Count} slices of the selected series could be read" };
            return new StudyAssessment(result, series, scored, null, clock.Elapsed.TotalSeconds);
        }

        var score = StudyScoring.Score(scored.Slices, _aggregation, options.MinBrainFraction, options.KeySlices);
        var keys = score.KeySlices.Select(k => new KeySlice(score.Slices[k].SopInstanceUid, score.Slices[k].InstanceNumber, score.Slices[k].Z, score.Slices[k].Probability, scored.Indices[k])).ToList();
        result = result with
        {
            Probability = score.Probability,
            Positive = options.Threshold is not null || _aggregation.Decides ? score.Probability >= threshold : null,
            Subtypes = score.Subtypes,
            KeySlices = keys,
            Slices = score.Slices,
            OutOfDistribution = OutOfDistribution.Assess(series, score.Slices, _scorer.InputProfile),
        };
        return new StudyAssessment(result, series, scored, score, clock.Elapsed.TotalSeconds);
    }
}
