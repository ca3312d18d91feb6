using System.CommandLine;
using System.Globalization;
using Headsup.Service;
using Headsup.Service.Feedback;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup feedback export --data-dir &lt;dir&gt; --out &lt;dir&gt; [--deidentify [--key-file F] [--shift-dates]]`: readers'
/// feedback from the service's database as labels.csv + DICOM, the format `evaluate` and `train` read.
/// </summary>
internal static class FeedbackCommand
{
    public static Command Create()
    {
        var feedback = new Command("feedback", "Readers' feedback collected by `headsup serve`");
        var dataDir = ServeCommand.DataDir();
        var database = ServeCommand.Database();
        var store = new Option<string?>("--store") { Description = "File store folder (default: <data-dir>/store); env HEADSUP_STORE" };
        var output = new Option<string>("--out") { Description = "Folder to create: labels.csv, dicom/, export.json", Required = true };
        var deidentify = new Option<bool>("--deidentify") { Description = "De-identify files and labels (DICOM PS3.15 Basic Application Level Confidentiality Profile); comments are left out" };
        var keyFile = new Option<string?>("--key-file") { Description = "De-identification key file (default: env HEADSUP_DEID_KEY, else <data-dir>/deid.key, created on first use)" };
        var shiftDates = new Option<bool>("--shift-dates") { Description = "With --deidentify: shift dates by a per-patient offset instead of removing them" };
        var export = new Command("export", "Writes labels.csv (study labels, and slice labels where readers gave them) and the DICOM of each study with feedback")
        {
            dataDir, database, store, output, deidentify, keyFile, shiftDates,
        };
        export.SetAction(async (parse, cancellationToken) =>
        {
            bool deid = parse.GetValue(deidentify);
            if (!deid && (parse.GetValue(keyFile) is not null || parse.GetValue(shiftDates)))
            {
                throw new UsageException("--key-file and --shift-dates go with --deidentify");
            }

            byte[]? key = null;
            if (deid && parse.GetValue(keyFile) is { } file)
            {
                key = Headsup.Deidentification.Keys.DeidentificationKey.Load(file);
            }
            else if (deid && Environment.GetEnvironmentVariable("HEADSUP_DEID_KEY") is { Length: > 0 } text)
            {
                key = Headsup.Deidentification.Keys.DeidentificationKey.FromText(text, "HEADSUP_DEID_KEY");
            }

            var flags = new Dictionary<string, string?> { ["Store"] = parse.GetValue(store) ?? Environment.GetEnvironmentVariable("HEADSUP_STORE") };
            var options = ServeCommand.Options(parse.GetValue(dataDir), parse.GetValue(database), flags, null);
            var progress = new Progress<(int Done, int Total)>(p => Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rexporting study {p.Done}/{p.Total}")));
            FeedbackExportSummary summary;
            try
            {
                summary = await ServiceHost.ExportFeedbackAsync(options, new FeedbackExportOptions { OutDir = parse.GetValue(output)!, Deidentify = deid, Key = key, ShiftDates = parse.GetValue(shiftDates) }, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (FeedbackExportException ex)
            {
                throw new UsageException(ex.Message);
            }

            Console.Error.WriteLine();
            foreach (var problem in summary.Problems)
            {
                Console.Error.WriteLine("warning: " + problem);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exported {summary.Studies} studies ({summary.Positive} with hemorrhage by the readers' labels), {summary.Files} DICOM files, {summary.SliceLabels} slice labels{(deid ? ", de-identified" : string.Empty)}"));
            Console.WriteLine($"labels: {summary.LabelsPath}");
            Console.WriteLine("next: headsup evaluate --data <export> --level study   ·   headsup train --data <export> --resume-from models/default   (docs/feedback-loop.md)");
            Console.WriteLine("NOT FOR CLINICAL USE: a model tuned on these cases must be measured on cases it was not tuned on.");
            return summary.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
        });
        feedback.Subcommands.Add(export);
        return feedback;
    }
}
