using Headsup.Datasets;
using Headsup.Evaluation.Reports;
using Headsup.Inputs;

namespace Headsup.Training.Evaluation;

/// <summary>The level of the head (<see cref="HeadLevels"/>) of labelled samples, for reports that split a ranking by level.</summary>
public static class SampleLevels
{
    /// <summary>
    /// The level of every DICOM sample, keyed by file and frame; null where it has none (no pixel spacing) or no longer
    /// loads (such a sample is reported as a problem when it is scored). Display images are not loaded and have none.
    /// Samples load in parallel; <paramref name="progress"/> counts the samples done.
    /// </summary>
    public static IReadOnlyDictionary<(string File, int Frame), HeadLevel?> Measure(IReadOnlyList<LabeledSample> samples, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var levels = new HeadLevel?[samples.Count];
        int done = 0;
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken }, i =>
        {
            levels[i] = samples[i].Format == ImageFormat.Dicom ? Of(samples[i]) : null;
            progress?.Report(Interlocked.Increment(ref done));
        });
        var byKey = new Dictionary<(string File, int Frame), HeadLevel?>();
        for (int i = 0; i < samples.Count; i++)
        {
            byKey[(samples[i].File, samples[i].Frame)] = levels[i];
        }

        return byKey;
    }

    /// <summary>The predictions.csv column (and metrics.json <c>groups.by</c>) of a slice's level of the head.</summary>
    public const string Column = "head_level";

    /// <summary><paramref name="options"/> set to report rows grouped by level of the head (<see cref="Group"/>), mid-head first.</summary>
    public static EvaluationReportOptions GroupedByLevel(EvaluationReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            GroupedBy = Column,
            GroupNote = "Level of the head: " + HeadLevels.Rule + ".",
            GroupOrder = [HeadLevels.Name(HeadLevel.MidHead), HeadLevels.Name(HeadLevel.BaseOrVertex)],
        };
    }

    /// <summary>The report group of a scored slice: its level's name, or null when it has none or <paramref name="levels"/> is null.</summary>
    public static string? Group(IReadOnlyDictionary<(string File, int Frame), HeadLevel?>? levels, string file, int frame) =>
        levels?.GetValueOrDefault((file, frame)) is { } level ? HeadLevels.Name(level) : null;

    private static HeadLevel? Of(LabeledSample sample)
    {
        try
        {
            return HeadLevels.Of(SampleImages.Load(sample));
        }
        catch (Exception ex) when (ex is InputException or DatasetException or Headsup.Dicom.DicomException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
