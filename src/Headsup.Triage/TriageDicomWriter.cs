using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Reporting;
using Headsup.Series.Sorting;
using Headsup.Triage.Rendering;

namespace Headsup.Triage;

/// <summary>
/// The DICOM writer stage of a triage: a Secondary Capture per explained key slice (overlay with a burned-in banner)
/// and a Comprehensive SR per study, both new series in the source study.
/// </summary>
public static class TriageDicomWriter
{
    /// <summary>Series number of the Secondary Capture series written into the study.</summary>
    public const int SecondaryCaptureSeriesNumber = 9901;

    /// <summary>Series number of the SR series written into the study.</summary>
    public const int ReportSeriesNumber = 9902;

    /// <summary>Writes a Secondary Capture per rendered key slice; returns the files (relative to <paramref name="outDir"/>) and their references for the SR.</summary>
    public static (IReadOnlyList<string> Files, IReadOnlyList<ReferencedImage> References) WriteSecondaryCaptures(
        IReadOnlyList<RenderedKeySlice> rendered, DicomDataset source, AlgorithmIdentity algorithm, StudyResult result, string method, double topFraction, string model, string studyDir, string outDir)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(result);
        var files = new List<string>();
        var references = new List<ReferencedImage>();
        if (rendered.Count == 0)
        {
            return (files, references);
        }

        Directory.CreateDirectory(studyDir);
        var series = new DerivedSeries(source, DicomUid.Generate(), SecondaryCaptureSeriesNumber, "HEADS UP ICH heatmaps - NOT FOR DIAGNOSTIC USE", DateTime.Now);
        foreach (var r in rendered)
        {
            var key = r.Slice.Key;
            var lines = new[]
            {
                string.Create(CultureInfo.InvariantCulture, $"HEADS UP ICH  study P {result.Probability:0.000} ({DecisionText(result)})  slice {SliceLabel(key)} P {key.Probability:0.000}"),
                $"{method} heatmap, top {topFraction.ToString("P0", CultureInfo.InvariantCulture)} of brain · model {model}",
                "NOT FOR DIAGNOSTIC USE",
            };
            var image = OverlayRenderer.WithBanner(r.Overlay, lines);
            var sc = SecondaryCaptureBuilder.Create(series, algorithm, image, r.Slice.Rank, Reference(r.Slice.Slice));
            var path = Path.Combine(studyDir, r.Name + ".sc.dcm");
            DicomFileWriter.Save(path, sc, TransferSyntax.ExplicitVRLittleEndian);
            files.Add(Path.GetRelativePath(outDir, path));
            references.Add(new ReferencedImage(DicomUid.SecondaryCaptureImageStorage, sc.GetString(DicomTags.SOPInstanceUID), series.SeriesInstanceUid, r.Slice.Rank, key.Z));
        }

        return (files, references);
    }

    /// <summary>Writes the study's Comprehensive SR (report.sr.dcm); returns its path relative to <paramref name="outDir"/>.</summary>
    public static string WriteReport(SortedSeries series, StudyResult result, DicomDataset source, AlgorithmIdentity algorithm, IReadOnlyList<ReferencedImage> secondaryCaptures, string studyDir, string outDir)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(studyDir);
        var report = new DerivedSeries(source, DicomUid.Generate(), ReportSeriesNumber, "HEADS UP ICH triage report - NOT FOR DIAGNOSTIC USE", DateTime.Now);
        var finding = new TriageFinding(
            result.Positive,
            result.Probability ?? double.NaN,
            result.Threshold,
            result.Subtypes,
            result.KeySlices.Select(k => Reference(series.Slices[k.Index])).ToList(),
            result.Partial,
            string.Join(" ", new[] { result.Partial ? PartialNote(result) : null, result.CalibrationDetail }.OfType<string>()) is { Length: > 0 } note ? note : null);
        var sr = StructuredReportBuilder.Create(report, algorithm, finding, secondaryCaptures);
        var path = Path.Combine(studyDir, "report.sr.dcm");
        DicomFileWriter.Save(path, sr, TransferSyntax.ExplicitVRLittleEndian);
        return Path.GetRelativePath(outDir, path);
    }

    /// <summary>The decision in captions: "POSITIVE at 0.310", "negative at 0.310", or "no decision: insufficient real data".</summary>
    public static string DecisionText(StudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Positive is { } positive
            ? string.Create(CultureInfo.InvariantCulture, $"{(positive ? "POSITIVE" : "negative")} at {result.Threshold:0.000}")
            : "no decision: " + (result.Calibration ?? "not scored");
    }

    /// <summary>How a key slice is named in captions: its Instance Number, else #index.</summary>
    public static string SliceLabel(KeySlice key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.InstanceNumber?.ToString(CultureInfo.InvariantCulture) ?? "#" + key.Index.ToString(CultureInfo.InvariantCulture);
    }

    private static ReferencedImage Reference(SortedSlice slice) => new(
        slice.Instance.SopClassUid.Length > 0 ? slice.Instance.SopClassUid : DicomUid.CTImageStorage,
        slice.Instance.SopInstanceUid,
        slice.Instance.SeriesInstanceUid,
        slice.Instance.InstanceNumber,
        slice.PositionMm);

    private static string PartialNote(StudyResult result)
    {
        var parts = new List<string>();
        if (result.FailedSlices.Count > 0)
        {
            parts.Add($"{result.FailedSlices.Count} slice(s) could not be read and were not scored");
        }

        parts.AddRange(result.SeriesProblems.Where(p => p.StartsWith(nameof(SeriesProblemKind.Gap), StringComparison.Ordinal) || p.StartsWith(nameof(SeriesProblemKind.MissingPosition), StringComparison.Ordinal)));
        return "Partial result: " + string.Join("; ", parts);
    }
}
