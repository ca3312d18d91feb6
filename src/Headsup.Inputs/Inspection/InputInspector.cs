using System.Text.Json.Nodes;
using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Dicom.Pixels;
using Headsup.Series;
using Headsup.Series.Grouping;
using Headsup.Series.Selection;

namespace Headsup.Inputs.Inspection;

/// <summary>One series as `headsup inspect` shows it.</summary>
/// <param name="SeriesInstanceUid">Series Instance UID.</param>
/// <param name="Modality">Modality of its first instance.</param>
/// <param name="Description">Series Description of its first instance.</param>
/// <param name="Instances">Instances in the series.</param>
/// <param name="TransferSyntaxes">Names of the transfer syntaxes its instances use.</param>
/// <param name="Rows">Rows of its first instance.</param>
/// <param name="Columns">Columns of its first instance.</param>
/// <param name="SliceSpacingMm">Slice spacing once sorted (null when it could not be sorted).</param>
/// <param name="SliceThicknessMm">Slice thickness once sorted.</param>
/// <param name="Selected">The series the triage would use.</param>
/// <param name="RejectedBecause">Why the selection rules passed it over (null when selected or not considered).</param>
/// <param name="Problems">Problems found when sorting it (gaps, missing positions …).</param>
public sealed record InspectedSeries(
    string SeriesInstanceUid, string Modality, string Description, int Instances, IReadOnlyList<string> TransferSyntaxes, int? Rows, int? Columns,
    double? SliceSpacingMm, double? SliceThicknessMm, bool Selected, IReadOnlyList<string>? RejectedBecause, IReadOnlyList<string>? Problems);

/// <summary>One study as `headsup inspect` shows it: its series and which one the selection rules chose, and why.</summary>
/// <param name="StudyInstanceUid">Study Instance UID.</param>
/// <param name="Description">Study Description.</param>
/// <param name="Instances">Instances in the study.</param>
/// <param name="SelectedSeries">The chosen series' UID, null when none is usable.</param>
/// <param name="SelectedBy">The rule that chose it.</param>
/// <param name="Explanation">The selection's explanation.</param>
/// <param name="Series">Every series.</param>
public sealed record InspectedStudy(string StudyInstanceUid, string Description, int Instances, string? SelectedSeries, string? SelectedBy, string? Explanation, IReadOnlyList<InspectedSeries> Series);

/// <summary>The pixel data of a single inspected file, every frame decoded.</summary>
/// <param name="Frames">Number of frames.</param>
/// <param name="Encapsulated">Compressed (encapsulated) pixel data.</param>
/// <param name="FrameBytes">Bytes of one decoded frame.</param>
public sealed record InspectedPixelData(int Frames, bool Encapsulated, int FrameBytes);

/// <summary>A single inspected file read whole: its encoding, warnings, pixel data and key attributes.</summary>
/// <param name="TransferSyntax">Transfer syntax.</param>
/// <param name="HasPreamble">The 128-byte preamble and "DICM" are there.</param>
/// <param name="HasFileMeta">File meta information is there.</param>
/// <param name="Elements">Top-level elements of the data set.</param>
/// <param name="Warnings">What the reader tolerated.</param>
/// <param name="PixelData">The pixel data, null when the file has none.</param>
/// <param name="Attributes">Key attributes by keyword, numbers as int and everything else as its string value, in a fixed order.</param>
public sealed record InspectedFile(string TransferSyntax, bool HasPreamble, bool HasFileMeta, int Elements, IReadOnlyList<string> Warnings, InspectedPixelData? PixelData, IReadOnlyList<KeyValuePair<string, object>> Attributes);

/// <summary>What `headsup inspect` reports about an input (file, folder or zip).</summary>
public sealed record InspectionReport
{
    /// <summary>The input as given.</summary>
    public required string Input { get; init; }

    /// <summary>The scan behind the report.</summary>
    public required ScanResult Scan { get; init; }

    /// <summary>Studies found, with their series.</summary>
    public required IReadOnlyList<InspectedStudy> Studies { get; init; }

    /// <summary>Files that could not be read (and, for a single file, its pixel data problems).</summary>
    public required IReadOnlyList<ScanFailure> Failures { get; init; }

    /// <summary>The codecs and whether each can be used on this machine.</summary>
    public required IReadOnlyList<CodecStatus> Codecs { get; init; }

    /// <summary>For a single readable file: the file read whole.</summary>
    public InspectedFile? File { get; init; }

    /// <summary>The report as `headsup inspect --json` prints it.</summary>
    public JsonObject ToJson()
    {
        var report = new JsonObject
        {
            ["input"] = Input,
            ["files_scanned"] = Scan.SourcesScanned,
            ["studies"] = new JsonArray(Studies.Select(s => (JsonNode)new JsonObject
            {
                ["study_instance_uid"] = s.StudyInstanceUid,
                ["description"] = s.Description,
                ["instances"] = s.Instances,
                ["selected_series"] = s.SelectedSeries,
                ["selected_by"] = s.SelectedBy,
                ["explanation"] = s.Explanation,
                ["series"] = new JsonArray(s.Series.Select(x => (JsonNode)new JsonObject
                {
                    ["series_instance_uid"] = x.SeriesInstanceUid,
                    ["modality"] = x.Modality,
                    ["description"] = x.Description,
                    ["instances"] = x.Instances,
                    ["transfer_syntaxes"] = Strings(x.TransferSyntaxes),
                    ["rows"] = x.Rows,
                    ["columns"] = x.Columns,
                    ["slice_spacing_mm"] = x.SliceSpacingMm,
                    ["slice_thickness_mm"] = x.SliceThicknessMm,
                    ["selected"] = x.Selected,
                    ["rejected_because"] = x.RejectedBecause is null ? null : Strings(x.RejectedBecause),
                    ["problems"] = x.Problems is null ? null : Strings(x.Problems),
                }).ToArray()),
            }).ToArray()),
            ["failures"] = Problems(Failures),
            ["skipped"] = Problems(Scan.Skipped),
            ["codecs"] = new JsonArray(Codecs.Select(c => (JsonNode)new JsonObject
            {
                ["codec"] = c.Codec,
                ["transfer_syntaxes"] = c.TransferSyntaxes,
                ["available"] = c.Available,
                ["detail"] = c.Detail,
                ["package"] = c.Package.Length > 0 ? c.Package : null,
            }).ToArray()),
        };
        if (File is { } file)
        {
            var node = new JsonObject
            {
                ["transfer_syntax"] = file.TransferSyntax,
                ["has_preamble"] = file.HasPreamble,
                ["has_file_meta"] = file.HasFileMeta,
                ["elements"] = file.Elements,
                ["warnings"] = Strings(file.Warnings),
                ["pixel_data"] = file.PixelData is { } p ? new JsonObject { ["frames"] = p.Frames, ["encapsulated"] = p.Encapsulated, ["frame_bytes"] = p.FrameBytes, ["decoded"] = true } : null,
            };
            foreach (var (keyword, value) in file.Attributes)
            {
                node[keyword] = value is int number ? JsonValue.Create(number) : JsonValue.Create(value.ToString());
            }

            report["file"] = node;
        }

        return report;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static JsonArray Problems(IEnumerable<ScanFailure> problems) =>
        new(problems.Select(f => (JsonNode)new JsonObject { ["file"] = f.Source, ["reason"] = f.Reason }).ToArray());
}

/// <summary>
/// Inspects an input: scans it (never failing on one bad file), shows each study's series and which one the selection
/// rules choose, and for a single file reads it whole and decodes every frame so that its pixel data problems are
/// reported too. Lists the codecs and whether each is usable here.
/// </summary>
public static class InputInspector
{
    private static readonly DicomTag[] KeyAttributes =
    [
        DicomTags.SOPClassUID, DicomTags.Modality, DicomTags.ImageType, DicomTags.BodyPartExamined, DicomTags.Rows, DicomTags.Columns,
        DicomTags.NumberOfFrames, DicomTags.BitsAllocated, DicomTags.BitsStored, DicomTags.PixelRepresentation, DicomTags.PhotometricInterpretation,
        DicomTags.RescaleSlope, DicomTags.RescaleIntercept, DicomTags.PixelPaddingValue, DicomTags.PixelSpacing, DicomTags.SliceThickness,
        DicomTags.ImagePositionPatient, DicomTags.ImageOrientationPatient, DicomTags.WindowCenter, DicomTags.WindowWidth,
    ];

    /// <summary>Inspects <paramref name="input"/> (a DICOM file, a folder scanned recursively, or a zip).</summary>
    /// <exception cref="ScanInputException">The input does not exist or cannot be listed.</exception>
    public static InspectionReport Inspect(string input, CancellationToken cancellationToken = default)
    {
        var scan = StudyScanner.Scan(input, cancellationToken: cancellationToken);
        var failures = scan.Failures.ToList();
        InspectedFile? file = null;
        if (scan.InputIsSingleFile && scan.Failures.Count == 0 && scan.InstanceCount > 0)
        {
            try
            {
                file = ReadWhole(input, cancellationToken);
            }
            catch (DicomException ex)
            {
                // The header was fine but the whole file (pixel data included) is not: the single input failed.
                failures.Add(new ScanFailure(Path.GetFullPath(input), ex.Message, ex));
            }
        }

        var selector = new SeriesSelector();
        return new InspectionReport
        {
            Input = input,
            Scan = scan,
            Studies = scan.Studies.Select(study => Study(study, selector.Select(study))).ToList(),
            Failures = failures,
            Codecs = CodecRegistry.ProbeAvailability(),
            File = file,
        };
    }

    private static InspectedFile ReadWhole(string path, CancellationToken cancellationToken)
    {
        var file = DicomFileReader.Open(path);
        var ds = file.Dataset;
        InspectedPixelData? pixels = null;
        if (ds.Contains(DicomTags.PixelData))
        {
            var reader = PixelFrameReader.Create(file, CodecRegistry.CreateDefault());
            reader.VerifyFrames(cancellationToken);
            pixels = new InspectedPixelData(reader.FrameCount, reader.IsEncapsulated, reader.FrameBytes);
        }

        var attributes = new List<KeyValuePair<string, object>>();
        foreach (var tag in KeyAttributes)
        {
            if (ds.TryGetInt32(tag, out var number) && ds.TryGetElement(tag, out var e) && !e.VR.IsString())
            {
                attributes.Add(new(DicomDictionary.Keyword(tag), number));
            }
            else if (ds.TryGetString(tag, out var text))
            {
                attributes.Add(new(DicomDictionary.Keyword(tag), text));
            }
        }

        return new InspectedFile(file.TransferSyntax.ToString(), file.HasPreamble, file.HasFileMeta, ds.Count, file.Warnings.ToList(), pixels, attributes);
    }

    private static InspectedStudy Study(DicomStudy study, SeriesSelection selection) => new(
        study.StudyInstanceUid,
        study.StudyDescription,
        study.InstanceCount,
        selection.Selected?.Series.SeriesInstanceUid,
        selection.SelectedByRule,
        selection.Explanation,
        study.Series.Select(series =>
        {
            var rejected = selection.Rejected.FirstOrDefault(r => r.Series.Series.SeriesInstanceUid == series.SeriesInstanceUid);
            var sorted = selection.Selected?.Series.SeriesInstanceUid == series.SeriesInstanceUid ? selection.Selected : rejected?.Series;
            var first = series.Instances[0];
            return new InspectedSeries(
                series.SeriesInstanceUid,
                first.Modality,
                first.SeriesDescription,
                series.Instances.Count,
                series.Instances.Select(i => i.TransferSyntaxUid).Distinct().Select(t => TransferSyntax.TryLookup(t, out var ts) ? ts.Name : t).ToList(),
                first.Rows,
                first.Columns,
                sorted?.SliceSpacingMm,
                sorted?.SliceThicknessMm,
                rejected is null && sorted is not null,
                rejected?.Reasons.Select(r => r.ToString()).ToList(),
                sorted?.Problems.Select(p => p.ToString()).ToList());
        }).ToList());
}
