using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headsup.Core.IO;
using Headsup.Datasets;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Reports;
using Headsup.Imaging.Windowing;
using Headsup.Inputs;
using Headsup.Models;
using Headsup.Models.Packaging;

namespace Headsup.Training.Evaluation;

/// <summary>One data source of a transfer protocol: a name and its labelled samples (study-labelled rows kept).</summary>
/// <param name="Name">Short name (e.g. head-ct-dev, real-ct-dev, macascull, phantom).</param>
/// <param name="Data">Its samples.</param>
public sealed record TransferSource(string Name, Dataset Data);

/// <summary>What the leave-one-source-out protocol is asked.</summary>
/// <param name="Sources">Every source; each is held out once.</param>
/// <param name="Options">How every fold trains (e.g. the options a shipped model recorded).</param>
/// <param name="OutputDirectory">Where fold packages, fold reports and the table go.</param>
/// <param name="Bootstrap">Resamples and seed of the 95 % CIs.</param>
public sealed record TransferRequest(IReadOnlyList<TransferSource> Sources, TrainingOptions Options, string OutputDirectory, BootstrapOptions Bootstrap)
{
    /// <summary>Describes the training options for the table (e.g. "like models/default, epochs=8").</summary>
    public string OptionsDescription { get; init; } = string.Empty;

    /// <summary>Only these sources are held out (each still trains on all the others); empty = every source.</summary>
    public IReadOnlyList<string> HoldOut { get; init; } = [];
}

/// <summary>One row of the transfer table: a held-out source (or a pool of them) at one level.</summary>
/// <param name="HeldOut">The source left out of training (or "pooled: …").</param>
/// <param name="Level">slice or study.</param>
/// <param name="N">Rows scored.</param>
/// <param name="Positives">Positive rows.</param>
/// <param name="Auc">AUC with its 95 % bootstrap CI (null when one class is absent).</param>
/// <param name="AveragePrecision">AP with its CI (null when one class is absent).</param>
/// <param name="Sensitivity">Sensitivity at the fold model's operating point, with CI (null without positives).</param>
/// <param name="Specificity">Specificity at the fold model's operating point, with CI (null without negatives).</param>
/// <param name="TrainedOn">Training inputs of the fold's model ("" for pooled rows).</param>
/// <param name="Note">Why a number is missing, or how the row was made.</param>
public sealed record TransferRow(
    string HeldOut,
    string Level,
    int N,
    int Positives,
    ConfidenceInterval? Auc,
    ConfidenceInterval? AveragePrecision,
    ConfidenceInterval? Sensitivity,
    ConfidenceInterval? Specificity,
    string TrainedOn,
    string Note)
{
    /// <summary>Positives / N.</summary>
    public double Prevalence => N == 0 ? double.NaN : (double)Positives / N;
}

/// <summary>The protocol's result: the table and the samples that could not be used.</summary>
public sealed record TransferOutcome(IReadOnlyList<TransferRow> Rows, IReadOnlyList<SampleProblem> Problems, IReadOnlyList<string> Files);

/// <summary>
/// The honest transfer protocol (leave one source out): for every source, train on all the others with the given
/// options (their own patient-level validation split chooses the epoch, the calibration and the operating point) and
/// score the source left out, which the fold's model has never seen — at slice level, and at study level when the
/// source is DICOM studies (scored exactly as detect scores them). Held-out predictions of every real DICOM source are
/// also pooled ("a new site"), and each pooled row is repeated for its mid-head and its skull-base-or-vertex slices
/// (<see cref="HeadLevels"/>). Writes each fold's package and evaluation report, and <c>transfer.md/.csv/.json</c>.
/// A fold whose package already exists (an interrupted run) is not trained again; a fold interrupted mid-training goes
/// on from its checkpoint (<c>folds/&lt;source&gt;/checkpoint</c>, kept after every epoch, removed with the package written).
/// </summary>
public static class SourceTransfer
{
    /// <summary>Name of the pooled row over every held-out real (non-phantom) DICOM source.</summary>
    public const string PooledRealDicom = "pooled: every real DICOM source, held out";

    /// <summary>
    /// Name of the pooled row over the same held-out real DICOM slices rendered as 40/80 display images (8-bit, no HU;
    /// <see cref="DisplayRendering"/>) before scoring: the same anatomy in the format of display-PNG sets, so the
    /// gap between formats is measured on held-out real slices. Only for recipes that read display images.
    /// </summary>
    public const string PooledRealAsDisplay = "pooled: the same slices as 40/80 display images";

    /// <summary>
    /// Name of the pooled row over the same slices rendered at 40/120, the window of public display-PNG sets that
    /// export a wider brain window (e.g. the external set of issue 12): a second display format, so the window
    /// estimator's mapping back to HU is measured on held-out anatomy at a second known window.
    /// </summary>
    public const string PooledRealAsWideDisplay = "pooled: the same slices as 40/120 display images";

    /// <summary>The display formats the pooled real DICOM slices are rendered in: row name, report folder, window.</summary>
    private static readonly (string Name, string Folder, HuWindow Window)[] DisplayFormats =
    [
        (PooledRealAsDisplay, "pooled-real-as-display", HuWindow.Brain),
        (PooledRealAsWideDisplay, "pooled-real-as-display-40-120", new HuWindow(40, 120)),
    ];

    /// <summary>
    /// Suffix of the rows that report a pooled row's slices at mid-head only (<see cref="HeadLevels"/>: intracranial area
    /// ≥ 100 cm², from the DICOM slice whatever format it was scored in); e.g. "pooled: every real DICOM source, held out — mid-head".
    /// </summary>
    public const string MidHeadSuffix = " — mid-head";

    /// <summary>Suffix of the rows that report a pooled row's slices at the skull base or vertex only (&lt; 100 cm²).</summary>
    public const string BaseOrVertexSuffix = " — skull base or vertex";

    /// <summary>The levels every pooled row is also reported at: level, row-name suffix, report-folder suffix, what it holds.</summary>
    private static readonly (HeadLevel Level, string Suffix, string Folder, string Holds)[] Levels =
    [
        (HeadLevel.MidHead, MidHeadSuffix, "-mid-head", $"intracranial area ≥ {HeadLevels.MidHeadMinimumCm2:0} cm²"),
        (HeadLevel.BaseOrVertex, BaseOrVertexSuffix, "-base-or-vertex", $"intracranial area < {HeadLevels.MidHeadMinimumCm2:0} cm²"),
    ];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The phantom's source name (<see cref="LabeledSample.Source"/>).</summary>
    public const string PhantomSource = "phantom";

    /// <summary>Runs every fold and writes the table.</summary>
    /// <exception cref="ArgumentException">Fewer than two sources, or two with the same name.</exception>
    public static TransferOutcome Run(TransferRequest request, ITrainingObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        if (request.Sources.Count < 2)
        {
            throw new ArgumentException($"leave-one-source-out needs at least two sources (got {request.Sources.Count})");
        }

        var unknown = request.HoldOut.Where(h => request.Sources.All(s => s.Name != h)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"--hold-out {string.Join(", ", unknown)}: no such source (the sources are {string.Join(", ", request.Sources.Select(s => s.Name))})");
        }

        var duplicate = request.Sources.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two sources are both named '{duplicate.Key}'; give them distinct folders");
        }

        Directory.CreateDirectory(request.OutputDirectory);
        var rows = new List<TransferRow>();
        var problems = new List<SampleProblem>();
        var pooled = new List<(ScoredRow Row, double Threshold)>();
        var pooledDisplay = DisplayFormats.Select(_ => new List<(ScoredRow Row, double Threshold)>()).ToArray();
        var levelOf = new Dictionary<(string File, int Frame), HeadLevel?>();
        for (int f = 0; f < request.Sources.Count; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var heldOut = request.Sources[f];
            if (request.HoldOut.Count > 0 && !request.HoldOut.Contains(heldOut.Name))
            {
                continue;
            }

            var train = request.Sources.Where((_, i) => i != f).SelectMany(s => s.Data.Samples).ToList();
            var foldDir = Path.Combine(request.OutputDirectory, "folds", Safe(heldOut.Name));
            var modelDir = Path.Combine(foldDir, "model");
            observer.Stage($"fold {f + 1}/{request.Sources.Count}: training without {heldOut.Name} ({train.Count(s => s.AnyKnown)} labelled inputs from {string.Join(", ", request.Sources.Where((_, i) => i != f).Select(s => s.Name))})", 0);
            if (!File.Exists(Path.Combine(modelDir, "model.json")))
            {
                // A fold interrupted mid-training goes on from its last finished epoch (each soup member from its own).
                var checkpointDir = Path.Combine(foldDir, "checkpoint");
                if (Directory.Exists(checkpointDir))
                {
                    observer.Stage($"fold {f + 1}: resuming its training from the checkpoint in {checkpointDir}", 0);
                }

                TrainingResult result;
                try
                {
                    result = TrainingRun.Run(
                        new TrainingRequest
                        {
                            Samples = train,
                            Sources = request.Sources.Where((_, i) => i != f).Select(s => s.Name).ToList(),
                            Options = request.Options,
                            OutputDirectory = modelDir,
                            CheckpointDirectory = checkpointDir,
                            Resume = true,
                            ModelName = "transfer-without-" + Safe(heldOut.Name),
                        },
                        observer,
                        cancellationToken);
                }
                catch (Exception ex) when (ex is ModelException or DatasetException or InputException)
                {
                    // One fold that cannot train (e.g. its training sources have one class) does not stop the others.
                    rows.Add(new TransferRow(heldOut.Name, "slice", heldOut.Data.Samples.Count(s => s.AnyKnown), heldOut.Data.Samples.Count(s => s.AnyKnown && s.Any == 1), null, null, null, null, string.Empty, "fold not trained: " + ex.Message));
                    continue;
                }

                result.Outcome.Network.Dispose();
                problems.AddRange(result.Problems);
            }
            else
            {
                observer.Stage($"fold {f + 1}: {modelDir} exists, scoring it (delete it to train again)", 0);
            }

            using var package = ModelPackage.Load(modelDir);
            string trainedOn = string.Create(CultureInfo.InvariantCulture, $"{package.Manifest.Training.TrainSamples} inputs ({package.Manifest.Training.SyntheticPositives} synthetic)");
            var sliceSamples = heldOut.Data.Samples.Where(s => s.AnyKnown).ToList();
            if (package.InputSpec.NeedsHu && sliceSamples.Any(s => s.Format != ImageFormat.Dicom))
            {
                rows.Add(new TransferRow(heldOut.Name, "slice", 0, 0, null, null, null, null, trainedOn, $"recipe {package.Manifest.Input.Recipe} needs HU; {heldOut.Name} has display images"));
                continue;
            }

            if (sliceSamples.Count > 0)
            {
                observer.Stage($"fold {f + 1}: scoring {sliceSamples.Count} held-out slices of {heldOut.Name}", sliceSamples.Count);
                var scored = ModelEvaluator.ScoreSlices(package, sliceSamples, problems, new Core.Progress.SyncProgress<int>(observer.Advance), cancellationToken);
                double threshold = package.Manifest.Thresholds.OperatingPoint;
                if (sliceSamples.Any(s => s.Format == ImageFormat.Dicom))
                {
                    observer.Stage($"fold {f + 1}: head level (intracranial area) of the {sliceSamples.Count} held-out slices of {heldOut.Name}", sliceSamples.Count);
                    foreach (var (key, level) in SampleLevels.Measure(sliceSamples, new Core.Progress.SyncProgress<int>(observer.Advance), cancellationToken))
                    {
                        levelOf[key] = level;
                    }
                }

                var report = Report(scored.Select(r => (r, threshold)).ToList(), EvaluationLevel.Slice, package.Manifest, $"{heldOut.Name} held out: {scored.Count} slices", request.Bootstrap, levelOf, cancellationToken);
                report?.WriteTo(Path.Combine(foldDir, "slice"));
                rows.Add(Row(heldOut.Name, "slice", scored.Select(r => r.Label).ToList(), report, trainedOn));
                if (sliceSamples.All(s => s.Format == ImageFormat.Dicom) && sliceSamples.All(s => s.Source != PhantomSource))
                {
                    pooled.AddRange(scored.Select(r => (r, threshold)));
                    for (int d = 0; d < DisplayFormats.Length && !package.InputSpec.NeedsHu; d++)
                    {
                        var window = DisplayFormats[d].Window;
                        observer.Stage($"fold {f + 1}: scoring the {sliceSamples.Count} held-out slices of {heldOut.Name} again as {window} display images", sliceSamples.Count);
                        var asDisplay = ModelEvaluator.ScoreSlices(package, sliceSamples, [], image => DisplayRendering.Render(image, window), new Core.Progress.SyncProgress<int>(observer.Advance), cancellationToken);
                        pooledDisplay[d].AddRange(asDisplay.Select(r => (r, threshold)));
                    }
                }
            }

            var studies = heldOut.Data.Samples.Where(s => s.StudyId is not null).Select(s => s.StudyId).Distinct(StringComparer.Ordinal).Count();
            if (heldOut.Data.Samples.Count > 0 && heldOut.Data.Samples.All(s => s.Format == ImageFormat.Dicom) && studies >= 2
                && heldOut.Data.Samples.GroupBy(s => s.StudyId).Any(g => g.Count() > 1))
            {
                observer.Stage($"fold {f + 1}: scoring the {studies} held-out studies of {heldOut.Name} as detect does", studies);
                try
                {
                    var outcome = PackageEvaluation.Run(package, heldOut.Data, new EvaluationRequest(true, [heldOut.Name], request.Bootstrap), null, new Core.Progress.SyncProgress<int>(observer.Advance), cancellationToken);
                    outcome.Report.WriteTo(Path.Combine(foldDir, "study"));
                    problems.AddRange(outcome.Problems);
                    rows.Add(Row(heldOut.Name, "study", outcome.Report.Rows.Select(r => r.Label).ToList(), outcome.Report, trainedOn));
                }
                catch (ModelException ex)
                {
                    rows.Add(new TransferRow(heldOut.Name, "study", 0, 0, null, null, null, null, trainedOn, "not scored: " + ex.Message));
                }
            }
        }

        int folds = request.Sources.Count(s => (request.HoldOut.Count == 0 || request.HoldOut.Contains(s.Name)) && s.Data.Samples.Any(x => x.AnyKnown) && s.Data.Samples.All(x => x.Format == ImageFormat.Dicom && x.Source != PhantomSource));
        // Each pooled row, then its slices at one level of the head each: is the ranking that of bleeds, or of the level?
        var pools = new List<(string Name, string Folder, List<(ScoredRow Row, double Threshold)> Rows, string Note)>
        {
            (PooledRealDicom, "pooled-real-dicom", pooled, $"out-of-source predictions of {folds} folds pooled; each at its fold's operating point (Wilson CIs)"),
        };
        for (int d = 0; d < DisplayFormats.Length; d++)
        {
            var (name, folder, window) = DisplayFormats[d];
            pools.Add((name, folder, pooledDisplay[d], $"the pooled real DICOM slices of the first pooled row, each rendered as the 8-bit {window} display image a PNG export carries, then scored by its fold's model: the format gap on the same anatomy"));
        }

        foreach (var (name, folder, pool, note) in pools.Where(p => p.Rows.Count > 0))
        {
            rows.Add(PooledRow(name, folder, pool, note, request, levelOf, cancellationToken));
            int noLevel = pool.Count(p => levelOf.GetValueOrDefault((p.Row.Id, p.Row.Frame)) is null);
            foreach (var (level, suffix, folderSuffix, holds) in Levels)
            {
                var atLevel = pool.Where(p => levelOf.GetValueOrDefault((p.Row.Id, p.Row.Frame)) == level).ToList();
                if (atLevel.Count > 0)
                {
                    rows.Add(PooledRow(name + suffix, folder + folderSuffix, atLevel, $"only the slices whose DICOM has {holds} (brain mask × pixel spacing)" + (noLevel > 0 ? $"; {noLevel} have no level (no pixel spacing, or no longer readable)" : string.Empty), request, null, cancellationToken));
                }
            }
        }

        var files = Write(request, rows);
        return new TransferOutcome(rows, problems, files);
    }

    private static TransferRow PooledRow(string name, string folder, List<(ScoredRow Row, double Threshold)> pooled, string note, TransferRequest request, IReadOnlyDictionary<(string File, int Frame), HeadLevel?>? levels, CancellationToken cancellationToken)
    {
        var labels = pooled.Select(p => p.Row.Label).ToList();
        var report = Report(pooled, EvaluationLevel.Slice, null, name, request.Bootstrap, levels, cancellationToken);
        report?.WriteTo(Path.Combine(request.OutputDirectory, folder));

        // Every pooled prediction is decided at its own fold's operating point; Wilson intervals for those rates.
        var positives = pooled.Where(p => p.Row.Label == 1).ToList();
        var negatives = pooled.Where(p => p.Row.Label == 0).ToList();
        var sensitivity = RateInterval.Wilson(positives.Count(p => p.Row.Probability >= p.Threshold), positives.Count);
        var specificity = RateInterval.Wilson(negatives.Count(p => p.Row.Probability < p.Threshold), negatives.Count);
        return Row(name, "slice", labels, report, string.Empty) with
        {
            Sensitivity = positives.Count > 0 ? new ConfidenceInterval(sensitivity.Value, sensitivity.Low, sensitivity.High, 0) : null,
            Specificity = negatives.Count > 0 ? new ConfidenceInterval(specificity.Value, specificity.Low, specificity.High, 0) : null,
            Note = note,
        };
    }

    /// <summary>A report of scored rows; with <paramref name="levels"/>, each slice is also reported at its level of the head (the report's head_level groups).</summary>
    private static EvaluationReport? Report(IReadOnlyList<(ScoredRow Row, double Threshold)> scored, EvaluationLevel level, ModelManifest? manifest, string description, BootstrapOptions bootstrap, IReadOnlyDictionary<(string File, int Frame), HeadLevel?>? levels, CancellationToken cancellationToken)
    {
        if (scored.Count == 0)
        {
            return null;
        }

        // A single fold has one operating point; a pool of folds has several, and its rates are computed per row.
        var thresholds = scored.Select(s => s.Threshold).Distinct().ToList();
        var options = new EvaluationReportOptions(level, manifest?.Name ?? "transfer folds", manifest?.Version ?? "leave-one-source-out", description)
        {
            OperatingPointThreshold = thresholds.Count == 1 ? thresholds[0] : null,
            OperatingPointDescription = thresholds.Count == 1 ? manifest?.Thresholds.OperatingPointRule ?? "the fold's operating point" : null,
            Bootstrap = bootstrap,
        };
        return EvaluationReport.Create(scored.Select(s => new EvaluationRow(s.Row.Id, s.Row.Label, s.Row.Probability, Group: SampleLevels.Group(levels, s.Row.Id, s.Row.Frame))).ToList(), SampleLevels.GroupedByLevel(options), cancellationToken);
    }

    private static TransferRow Row(string heldOut, string level, List<int> labels, EvaluationReport? report, string trainedOn)
    {
        int n = labels.Count, positives = labels.Count(l => l == 1);
        bool both = positives > 0 && positives < n;
        var op = report?.Metrics.AtOperatingPoint;
        string note = both ? string.Empty : positives == 0 ? "no positives: AUC/AP undefined" : "no negatives: AUC/AP undefined";
        return new TransferRow(
            heldOut,
            level,
            n,
            positives,
            both ? report?.Metrics.Ranking.Auc : null,
            both ? report?.Metrics.Ranking.AveragePrecision : null,
            positives > 0 ? op?.Recall : null,
            positives < n ? op?.Specificity : null,
            trainedOn,
            note);
    }

    private static string[] Write(TransferRequest request, IReadOnlyList<TransferRow> rows)
    {
        var dir = request.OutputDirectory;
        var md = new StringBuilder();
        md.AppendLine("# Leave-one-source-out transfer (what to expect on a new site)");
        md.AppendLine();
        md.AppendLine("Each row's source was left out of training; its fold's model was trained on all other sources" + (request.OptionsDescription.Length > 0 ? $" ({request.OptionsDescription})" : string.Empty) + ". 95 % percentile bootstrap CIs. Sensitivity and specificity at the fold model's operating point (validation sensitivity ≥ 0.90 on its own training sources).");
        md.AppendLine();
        md.AppendLine("| held out | level | n (positives) | prevalence | AUC [95 % CI] | AP [95 % CI] | sensitivity at op. point | specificity at op. point | note |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var csv = new StringBuilder("held_out,level,n,positives,prevalence,auc,auc_low,auc_high,ap,ap_low,ap_high,sensitivity,sensitivity_low,sensitivity_high,specificity,specificity_low,specificity_high,trained_on,note\n");
        foreach (var r in rows)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.HeldOut} | {r.Level} | {r.N} ({r.Positives}) | {r.Prevalence:0.00} | {Ci(r.Auc)} | {Ci(r.AveragePrecision)} | {Ci(r.Sensitivity)} | {Ci(r.Specificity)} | {r.Note} |"));
            csv.AppendLine(string.Join(',', new[] { Csv(r.HeldOut), r.Level, Num(r.N), Num(r.Positives), Num(r.Prevalence) }
                .Concat(Triple(r.Auc)).Concat(Triple(r.AveragePrecision)).Concat(Triple(r.Sensitivity)).Concat(Triple(r.Specificity))
                .Append(Csv(r.TrainedOn)).Append(Csv(r.Note))));
        }

        md.AppendLine();
        md.AppendLine(MetricsDocument.DisclaimerText);
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new { schema = "headsup.transfer/1", protocol = "leave-one-source-out", not_for_clinical_use = true, training = request.OptionsDescription, options = request.Options.Describe(), rows },
            JsonOptions);
        var files = new[] { Path.Combine(dir, "transfer.md"), Path.Combine(dir, "transfer.csv"), Path.Combine(dir, "transfer.json") };
        AtomicFile.Write(files[0], s => s.Write(Encoding.UTF8.GetBytes(md.ToString())));
        AtomicFile.Write(files[1], s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
        AtomicFile.Write(files[2], s => s.Write(json));
        return files;

        static string Ci(ConfidenceInterval? c) => c is null || double.IsNaN(c.Value) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{c.Value:0.000} [{c.Low:0.000}, {c.High:0.000}]");
        static IEnumerable<string> Triple(ConfidenceInterval? c) => c is null ? ["", "", ""] : [Num(c.Value), Num(c.Low), Num(c.High)];
        static string Num(double v) => double.IsNaN(v) ? string.Empty : v.ToString("0.######", CultureInfo.InvariantCulture);
        static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    /// <summary>A name usable as a folder.</summary>
    public static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
