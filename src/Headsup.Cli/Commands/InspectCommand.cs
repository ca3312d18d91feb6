using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Dicom.Pixels;
using Headsup.Series;
using Headsup.Series.Selection;
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
        var scan = StudyScanner.Scan(input, cancellationToken: cancellationToken);
        bool singleFile = scan.InputIsSingleFile;
        var failures = scan.Failures.Select(f => (f.Source, f.Reason)).ToList();
        JsonObject? fileNode = null;
        if (singleFile && scan.Failures.Count == 0 && scan.InstanceCount > 0)
        {
            try
            {
                fileNode = FileNode(input, cancellationToken);
            }
            catch (DicomException ex)
            {
                // The header was fine but the whole file (pixel data included) is not: the single input failed.
                failures.Add((Path.GetFullPath(input), ex.Message));
            }
        }

        var selector = new SeriesSelector();
        var report = new JsonObject
        {
            ["input"] = input,
            ["files_scanned"] = scan.SourcesScanned,
            ["studies"] = new JsonArray(scan.Studies.Select(study => (JsonNode)StudyNode(study, selector.Select(study))).ToArray()),
            ["failures"] = new JsonArray(failures.Select(f => (JsonNode)new JsonObject { ["file"] = f.Source, ["reason"] = f.Reason }).ToArray()),
            ["skipped"] = new JsonArray(scan.Skipped.Select(f => (JsonNode)new JsonObject { ["file"] = f.Source, ["reason"] = f.Reason }).ToArray()),
            ["codecs"] = new JsonArray(CodecRegistry.ProbeAvailability().Select(c => (JsonNode)new JsonObject
            {
                ["codec"] = c.Codec,
                ["transfer_syntaxes"] = c.TransferSyntaxes,
                ["available"] = c.Available,
                ["detail"] = c.Detail,
                ["package"] = c.Package.Length > 0 ? c.Package : null,
            }).ToArray()),
        };

        if (fileNode is not null)
        {
            report["file"] = fileNode;
        }

        if (asJson)
        {
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            PrintTree(report);
        }

        scan.ThrowIfNoDicomFound();
        return failures.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
    }

    /// <summary>Reads the whole file and decodes every frame, so a single file's pixel data problems are reported too.</summary>
    private static JsonObject FileNode(string path, CancellationToken cancellationToken)
    {
        var file = DicomFileReader.Open(path);
        var ds = file.Dataset;
        JsonObject? pixels = null;
        if (ds.Contains(DicomTags.PixelData))
        {
            var reader = PixelFrameReader.Create(file, CodecRegistry.CreateDefault());
            reader.VerifyFrames(cancellationToken);
            pixels = new JsonObject
            {
                ["frames"] = reader.FrameCount,
                ["encapsulated"] = reader.IsEncapsulated,
                ["frame_bytes"] = reader.FrameBytes,
                ["decoded"] = true,
            };
        }

        var node = new JsonObject
        {
            ["transfer_syntax"] = file.TransferSyntax.ToString(),
            ["has_preamble"] = file.HasPreamble,
            ["has_file_meta"] = file.HasFileMeta,
            ["elements"] = ds.Count,
            ["warnings"] = new JsonArray(file.Warnings.Select(w => (JsonNode)w).ToArray()),
            ["pixel_data"] = pixels,
        };
        foreach (var tag in new[]
        {
            DicomTags.SOPClassUID, DicomTags.Modality, DicomTags.ImageType, DicomTags.BodyPartExamined, DicomTags.Rows, DicomTags.Columns,
            DicomTags.NumberOfFrames, DicomTags.BitsAllocated, DicomTags.BitsStored, DicomTags.PixelRepresentation, DicomTags.PhotometricInterpretation,
            DicomTags.RescaleSlope, DicomTags.RescaleIntercept, DicomTags.PixelPaddingValue, DicomTags.PixelSpacing, DicomTags.SliceThickness,
            DicomTags.ImagePositionPatient, DicomTags.ImageOrientationPatient, DicomTags.WindowCenter, DicomTags.WindowWidth,
        })
        {
            if (ds.TryGetInt32(tag, out var number) && ds.TryGetElement(tag, out var e) && !e.VR.IsString())
            {
                node[DicomDictionary.Keyword(tag)] = number;
            }
            else if (ds.TryGetString(tag, out var text))
            {
                node[DicomDictionary.Keyword(tag)] = text;
            }
        }

        return node;
    }

    private static JsonObject StudyNode(Headsup.Series.Grouping.DicomStudy study, SeriesSelection selection) => new()
    {
        ["study_instance_uid"] = study.StudyInstanceUid,
        ["description"] = study.StudyDescription,
        ["instances"] = study.InstanceCount,
        ["selected_series"] = selection.Selected?.Series.SeriesInstanceUid,
        ["selected_by"] = selection.SelectedByRule,
        ["explanation"] = selection.Explanation,
        ["series"] = new JsonArray(study.Series.Select(series =>
        {
            var rejected = selection.Rejected.FirstOrDefault(r => r.Series.Series.SeriesInstanceUid == series.SeriesInstanceUid);
            var sorted = selection.Selected?.Series.SeriesInstanceUid == series.SeriesInstanceUid ? selection.Selected : rejected?.Series;
            var first = series.Instances[0];
            return (JsonNode)new JsonObject
            {
                ["series_instance_uid"] = series.SeriesInstanceUid,
                ["modality"] = first.Modality,
                ["description"] = first.SeriesDescription,
                ["instances"] = series.Instances.Count,
                ["transfer_syntaxes"] = new JsonArray(series.Instances.Select(i => i.TransferSyntaxUid).Distinct().Select(t => (JsonNode)(TransferSyntax.TryLookup(t, out var ts) ? ts.Name : t)).ToArray()),
                ["rows"] = first.Rows,
                ["columns"] = first.Columns,
                ["slice_spacing_mm"] = sorted?.SliceSpacingMm,
                ["slice_thickness_mm"] = sorted?.SliceThicknessMm,
                ["selected"] = rejected is null && sorted is not null,
                ["rejected_because"] = rejected is null ? null : new JsonArray(rejected.Reasons.Select(r => (JsonNode)r.ToString()).ToArray()),
                ["problems"] = sorted is null ? null : new JsonArray(sorted.Problems.Select(p => (JsonNode)p.ToString()).ToArray()),
            };
        }).ToArray()),
    };

    private static void PrintTree(JsonObject report)
    {
        var tree = new Tree(Markup.Escape($"{report["input"]} — {report["files_scanned"]} file(s) scanned"));
        foreach (var study in report["studies"]!.AsArray())
        {
            var studyNode = tree.AddNode(Markup.Escape($"Study {study!["study_instance_uid"]} \"{study["description"]}\" — {study["instances"]} instance(s)"));
            foreach (var series in study["series"]!.AsArray())
            {
                bool selected = series!["selected"]!.GetValue<bool>();
                var label = $"{(selected ? "[green]selected[/]" : "[grey]rejected[/]")} {Markup.Escape($"{series["modality"]} \"{series["description"]}\" {series["instances"]} slice(s) {series["rows"]}×{series["columns"]} spacing {series["slice_spacing_mm"]?.ToString() ?? "?"} mm — {string.Join(", ", series["transfer_syntaxes"]!.AsArray())}")}";
                var node = studyNode.AddNode(label);
                foreach (var reason in series["rejected_because"]?.AsArray() ?? [])
                {
                    node.AddNode(Markup.Escape("because " + reason));
                }

                foreach (var problem in series["problems"]?.AsArray() ?? [])
                {
                    node.AddNode("[yellow]problem[/] " + Markup.Escape(problem!.ToString()));
                }
            }

            studyNode.AddNode(Markup.Escape("→ " + study["explanation"]));
        }

        AnsiConsole.Write(tree);
        if (report["file"] is JsonObject file)
        {
            var table = new Table().AddColumn("attribute").AddColumn("value");
            foreach (var (key, value) in file)
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value?.ToJsonString() ?? string.Empty));
            }

            AnsiConsole.Write(table);
        }

        foreach (var failure in report["failures"]!.AsArray())
        {
            AnsiConsole.MarkupLine("[red]failed[/] " + Markup.Escape($"{failure!["file"]}: {failure["reason"]}"));
        }

        foreach (var skipped in report["skipped"]!.AsArray())
        {
            AnsiConsole.MarkupLine("[grey]skipped[/] " + Markup.Escape($"{skipped!["file"]}: {skipped["reason"]}"));
        }

        var codecs = report["codecs"]!.AsArray();
        AnsiConsole.MarkupLine("codecs: " + string.Join(", ", codecs.Select(c => c!["available"]!.GetValue<bool>()
            ? Markup.Escape($"{c["codec"]}") + " [green]available[/]"
            : Markup.Escape($"{c["codec"]}") + " [red]MISSING[/] " + Markup.Escape($"({c["detail"]}; apt-get install {c["package"]})"))));
    }
}
