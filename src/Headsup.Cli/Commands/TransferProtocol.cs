using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Evaluation.Intervals;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Training.Evaluation;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup evaluate --protocol leave-one-source-out --data &lt;src&gt;... [--train-like &lt;package&gt;] [--set key=value]...
/// --out &lt;dir&gt;`: each --data source is held out once (<see cref="SourceTransfer"/>); every fold trains with the
/// training options the --train-like package recorded (default: the shipped model), with --set overrides.
/// </summary>
internal static class TransferProtocol
{
    public const string LeaveOneSourceOut = "leave-one-source-out";

    public static int Run(IReadOnlyList<string> sources, string? trainLike, IReadOnlyList<string> overrides, IReadOnlyList<string> holdOut, string outDir, BootstrapOptions bootstrap, CancellationToken cancellationToken)
    {
        var like = ModelLocator.Resolve(trainLike);
        ModelManifest manifest;
        try
        {
            manifest = ModelPackage.ReadManifest(like);
        }
        catch (ModelException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }

        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--set {o}: expected key=value, e.g. --set epochs=8");
            }

            set[o[..eq].Trim()] = o[(eq + 1)..].Trim();
        }

        TrainingOptions options;
        try
        {
            options = TrainingOptions.FromDescription(manifest.Training.Options, set);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        if (options.Problem is { } problem)
        {
            throw new UsageException("--set: " + problem);
        }

        var named = sources.Select(s => new TransferSource(NameOf(s), DataArguments.Load([s], keepStudyLabelledRows: true))).ToList();
        string description = $"trained like {manifest.Name} {manifest.Version}" + (set.Count > 0 ? ", with " + string.Join(", ", set.Select(kv => kv.Key + "=" + kv.Value)) : string.Empty);
        var observer = new ConsoleTrainingObserver();
        TransferOutcome outcome;
        try
        {
            outcome = SourceTransfer.Run(new TransferRequest(named, options, outDir, bootstrap) { OptionsDescription = description, HoldOut = holdOut }, observer, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (Exception ex) when (ex is ModelException or DatasetException)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }

        foreach (var p in outcome.Problems)
        {
            observer.Problem(p);
        }

        Console.WriteLine($"leave-one-source-out ({description}); written to {outDir}");
        foreach (var r in outcome.Rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.HeldOut,-42} {r.Level,-5} n {r.N,5} ({r.Positives,4}+)  AUC {Ci(r.Auc)}  AP {Ci(r.AveragePrecision)}  {r.Note}"));
        }

        Console.WriteLine("95 % bootstrap CIs; sensitivity/specificity at each fold's operating point in transfer.md. NOT FOR CLINICAL USE — research software, not validated.");
        return outcome.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;

        static string Ci(ConfidenceInterval? c) => c is null || double.IsNaN(c.Value) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{c.Value:0.000} [{c.Low:0.000}, {c.High:0.000}]");
    }

    /// <summary>A source's name: a labels CSV is named by its folder (real-ct-dev, macascull…), a folder by itself.</summary>
    public static string NameOf(string source)
    {
        var full = Path.GetFullPath(source).TrimEnd(Path.DirectorySeparatorChar);
        return Directory.Exists(full) ? Path.GetFileName(full) : Path.GetFileName(Path.GetDirectoryName(full)) ?? full;
    }
}
