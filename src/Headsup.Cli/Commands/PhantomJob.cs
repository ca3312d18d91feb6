using System.Globalization;
using Headsup.Phantom;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>Runs the phantom generator with a progress bar and prints what was written.</summary>
internal static class PhantomJob
{
    public static int Run(string output, int studies, int seed, string hemorrhage, CancellationToken cancellationToken)
    {
        if (!new PhantomOptions { Studies = studies, Seed = seed }.TryWithHemorrhage(hemorrhage, out var options))
        {
            throw new UsageException($"--hemorrhage '{hemorrhage}' is not none, random or a subtype");
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        PhantomSummary summary = null!;
        try
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("phantom", maxValue: 1);
                    var progress = new Progress<PhantomProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.StudyCount * p.SliceCount);
                        task.Value = ((p.Study - 1) * p.SliceCount) + p.Slice;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"phantom study {p.Study}/{p.StudyCount}");
                    });
                    summary = new PhantomGenerator(options).Generate(output, progress, cancellationToken);
                    task.Value = task.MaxValue;
                });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write the phantom to '{output}': {ex.Message}");
            return ExitCodes.CouldNotRun;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phantom: {summary.Studies.Count} study(ies), {summary.FileCount} DICOM file(s), {summary.PositiveSliceCount} hemorrhage-positive slice(s) in {summary.OutputDirectory}"));
        foreach (var study in summary.Studies)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {study.PatientId}: {study.Files.Count} slices, {study.PositiveSliceCount} positive"));
        }

        Console.WriteLine($"labels: {summary.RsnaLabelsPath} (RSNA format), {summary.LabelsPath}; pictures: {Path.Combine(summary.OutputDirectory, PhantomGenerator.PreviewFolder)}");
        Console.WriteLine("SYNTHETIC PHANTOM - NOT FOR CLINICAL USE");
        return ExitCodes.Ok;
    }
}
