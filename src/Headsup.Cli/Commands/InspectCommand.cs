using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Inputs.Inspection;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>`headsup inspect &lt;file|dir|zip&gt; [--json]`: transfer syntax, key tags, study/series tree, problems.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A DICOM file, a folder (recursive) or a .zip" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a tree" };
        var command = new Command("inspect", "Show transfer syntaxes, key tags, the study/series tree and problems found") { input, json };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse.GetValue(input)!, parse.GetValue(json), cancellationToken)));
        return command;
    }

    private static int Run(string input, bool asJson, CancellationToken cancellationToken)
    {
        // A missing input (ScanInputException) and a folder without DICOM (NoDicomFoundException) end in Program.cs.
        var report = InputInspector.Inspect(input, cancellationToken);
        if (asJson)
        {
            Console.WriteLine(report.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            PrintTree(report);
        }

        report.Scan.ThrowIfNoDicomFound();
        return report.Failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
    }

    private static void PrintTree(InspectionReport report)
    {
        var tree = new Tree(Markup.Escape($"{report.Input} — {report.Scan.SourcesScanned} file(s) scanned"));
        foreach (var study in report.Studies)
        {
            var studyNode = tree.AddNode(Markup.Escape($"Study {study.StudyInstanceUid} \"{study.Description}\" — {study.Instances} instance(s)"));
            foreach (var series in study.Series)
            {
                var spacing = series.SliceSpacingMm?.ToString(CultureInfo.InvariantCulture) ?? "?";
                var label = $"{(series.Selected ? "[green]selected[/]" : "[grey]rejected[/]")} {Markup.Escape($"{series.Modality} \"{series.Description}\" {series.Instances} slice(s) {series.Rows}×{series.Columns} spacing {spacing} mm — {string.Join(", ", series.TransferSyntaxes)}")}";
                var node = studyNode.AddNode(label);
                foreach (var reason in series.RejectedBecause ?? [])
                {
                    node.AddNode(Markup.Escape("because " + reason));
                }

                foreach (var problem in series.Problems ?? [])
                {
                    node.AddNode("[yellow]problem[/] " + Markup.Escape(problem));
                }
            }

            studyNode.AddNode(Markup.Escape("→ " + study.Explanation));
        }

        AnsiConsole.Write(tree);
        if (report.ToJson()["file"] is JsonObject file)
        {
            var table = new Table().AddColumn("attribute").AddColumn("value");
            foreach (var (key, value) in file)
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value?.ToJsonString() ?? string.Empty));
            }

            AnsiConsole.Write(table);
        }

        foreach (var failure in report.Failures)
        {
            AnsiConsole.MarkupLine("[red]failed[/] " + Markup.Escape($"{failure.Source}: {failure.Reason}"));
        }

        foreach (var skipped in report.Scan.Skipped)
        {
            AnsiConsole.MarkupLine("[grey]skipped[/] " + Markup.Escape($"{skipped.Source}: {skipped.Reason}"));
        }

        AnsiConsole.MarkupLine("codecs: " + string.Join(", ", report.Codecs.Select(c => c.Available
            ? Markup.Escape(c.Codec) + " [green]available[/]"
            : Markup.Escape(c.Codec) + " [red]MISSING[/] " + Markup.Escape($"({c.Detail}; apt-get install {c.Package})"))));
    }
}
