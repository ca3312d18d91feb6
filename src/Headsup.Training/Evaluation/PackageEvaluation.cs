using Headsup.Training;
using Headsup.Core.Progress;
using Headsup.Datasets;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Reports;
using Headsup.Inputs;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Triage;

namespace Headsup.Training.Evaluation;

/// <summary>What <c>headsup evaluate</c> is asked.</summary>
/// <param name="Study">Study level (else slice level).</param>
/// <param name="Sources">The --data sources, used to show file names relative to them and to describe the data.</param>
/// <param name="Bootstrap">Resamples and seed of the 95 % CIs.</param>
public sealed record EvaluationRequest(bool Study, IReadOnlyList<string> Sources, BootstrapOptions Bootstrap);

/// <summary>A stage of an evaluation, for progress: a description and how many units it has.</summary>
/// <param name="Description">What is being scored.</param>
/// <param name="Total">Units (slices or studies).</param>
public sealed record EvaluationStage(string Description, int Total);

/// <summary>The evaluation: the report and the samples that could not be scored.</summary>
/// <param name="Report">Metrics with CIs, ready to write.</param>
/// <param name="Problems">Samples that could not be read or scored (the rest were).</param>
public sealed record EvaluationOutcome(EvaluationReport Report, IReadOnlyList<SampleProblem> Problems);

/// <summary>
/// <c>headsup evaluate</c> as a library: scores a labelled dataset with a package and builds the report. At study level,
/// DICOM studies are scored exactly as detect scores them (<see cref="StudyCalibration.Score"/>: series selection,
/// slices with little brain left out, the package's study calibration); display images are grouped by study id and
/// aggregated with the package's study aggregation. At slice level, DICOM slices are also reported by level of the head
/// (<see cref="HeadLevels"/>: mid-head, skull base or vertex; metrics.json <c>groups</c>, report.md, predictions.csv
/// <c>head_level</c>).
/// </summary>
public static class PackageEvaluation
{
    /// <summary>Scores <paramref name="dataset"/> and builds the report.</summary>
    /// <exception cref="ArgumentException">The model needs HU and the data has display images.</exception>
    /// <exception cref="ModelException">Nothing could be scored, or the package does not fit the data.</exception>
    public static EvaluationOutcome Run(ModelPackage package, Dataset dataset, EvaluationRequest request, Action<EvaluationStage>? stage = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(request);
        var manifest = package.Manifest;
        if (package.InputSpec.NeedsHu && dataset.Samples.Any(s => s.Format != ImageFormat.Dicom))
        {
            throw new ArgumentException($"the model's recipe {manifest.Input.Recipe} needs Hounsfield units, but the data has PNG/JPEG images");
        }

        var problems = new List<SampleProblem>();
        IReadOnlyList<ScoredRow> rows;
        IReadOnlyDictionary<(string File, int Frame), HeadLevel?>? levels = null;
        bool study = request.Study;
        bool studyPipeline = study && dataset.Samples.All(s => s.Format == ImageFormat.Dicom);
        if (studyPipeline)
        {
            stage?.Invoke(new EvaluationStage($"scoring labelled studies with {manifest.Name} {manifest.Version} as detect does", Math.Max(1, dataset.Samples.Select(s => s.StudyId).Distinct().Count())));
            using var triager = new StudyTriager(package);
            rows = StudyCalibration.Score(triager, dataset.Samples, TriageOptions.Default, progress, cancellationToken)
                .Select(r => new ScoredRow(r.StudyInstanceUid, r.Label, r.Probability, r.Subtypes, r.Slices)).ToList();
        }
        else
        {
            // At slice level only slices with a slice label of their own count (not those kept for a study label).
            var samples = study ? dataset.Samples : dataset.Samples.Where(s => s.AnyKnown).ToList();
            stage?.Invoke(new EvaluationStage($"scoring {samples.Count} slices with {manifest.Name} {manifest.Version} ({manifest.Architecture}, {manifest.Input.Recipe} {manifest.Input.Size}²)", samples.Count));
            rows = ModelEvaluator.ScoreSlices(package, samples, problems, progress, cancellationToken);
            if (study)
            {
                rows = ModelEvaluator.ToStudies(rows, dataset.Samples, manifest.Study);
            }
            else if (samples.Count(s => s.Format == ImageFormat.Dicom) is > 0 and var dicom)
            {
                // Every DICOM slice's level of the head, so the ranking is also read at mid-head and at the skull base
                // or vertex on their own: over whole heads a model can rank bleeds by ranking levels.
                stage?.Invoke(new EvaluationStage($"head level (intracranial area) of {dicom} DICOM slices", dicom));
                levels = SampleLevels.Measure(samples, progress, cancellationToken);
            }
        }

        if (rows.Count == 0)
        {
            throw new ModelException(package.Location, "nothing could be scored");
        }

        var subtypeNames = manifest.Outputs.Skip(1).ToList();
        var labelsByFile = dataset.Samples.GroupBy(s => s.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var evaluationRows = rows.Select(r => new EvaluationRow(
            Display(r.Id, request.Sources),
            r.Label,
            r.Probability,
            subtypeNames.Count > 0 ? subtypeNames.Select(n => r.Subtypes[n]).ToList() : null,
            !study && subtypeNames.Count > 0 && labelsByFile.TryGetValue(r.Id, out var s) && s.Subtypes.All(v => v is not null)
                ? s.Subtypes.Select(v => v!.Value).ToList()
                : null,
            SampleLevels.Group(levels, r.Id, r.Frame))).ToList();
        if (evaluationRows.Any(r => r.SubtypeLabels is null))
        {
            evaluationRows = evaluationRows.Select(r => r with { SubtypeLabels = null }).ToList();
        }

        var options = new EvaluationReportOptions(
            study ? EvaluationLevel.Study : EvaluationLevel.Slice,
            manifest.Name,
            manifest.Version,
            $"{string.Join(", ", request.Sources)}: {rows.Count} {(study ? "studies" : "slices")}")
        {
            OperatingPointThreshold = study ? manifest.Study.Threshold : manifest.Thresholds.OperatingPoint,
            OperatingPointDescription = study ? $"study threshold of the package ({manifest.Study.Method}, k = {manifest.Study.K})" : manifest.Thresholds.OperatingPointRule,
            SubtypeNames = subtypeNames,
            Bootstrap = request.Bootstrap,
        };
        return new EvaluationOutcome(EvaluationReport.Create(evaluationRows, SampleLevels.GroupedByLevel(options), cancellationToken), problems);
    }

    /// <summary>A file shown relative to the --data source it came from (else as given).</summary>
    public static string Display(string file, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var source in sources)
        {
            var root = Directory.Exists(source) ? source : Path.GetDirectoryName(Path.GetFullPath(source)) ?? string.Empty;
            var full = Path.GetFullPath(root);
            if (file.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Path.GetRelativePath(full, file);
            }
        }

        return file;
    }
}
