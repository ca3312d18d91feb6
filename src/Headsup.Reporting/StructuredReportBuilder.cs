using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>
/// Builds a Comprehensive SR document (SOP Class 1.2.840.10008.5.1.4.1.1.88.33, PS3.3 A.35.3) reporting a triage
/// result. The content tree is:
/// <code>
/// CONTAINER (24725-4, LN, "CT Head Report")
///   CONTAINS TEXT (121106, DCM, "Comment") = "NOT FOR DIAGNOSTIC USE — research software, not validated"
///   CONTAINS TEXT (121106, DCM, "Comment") = partial-result note and/or the caller's note (when any)
///   CONTAINS CODE (1386000, SCT, "Intracranial hemorrhage") = (52101004, SCT, "Present") | (272519000, SCT, "Absent")
///     | (82334004, SCT, "Indeterminate") when no decision was made
///     HAS CONCEPT MOD TEXT (111001, DCM, "Algorithm Name"), (111003, DCM, "Algorithm Version"), (111002, DCM, "Algorithm Parameters") = threshold
///     HAS PROPERTIES NUM (111012, DCM, "Certainty of Finding") = study probability in %
///     HAS PROPERTIES CODE|TEXT (121071, DCM, "Finding") = subtype, with HAS PROPERTIES NUM certainty in %   (one per subtype)
///     INFERRED FROM IMAGE (121080, DCM, "Best illustration of finding") = each key CT slice
///   CONTAINS IMAGE (121080, DCM, "Best illustration of finding") = each Secondary Capture rendering
/// </code>
/// The document is UNVERIFIED, PARTIAL when the finding is partial, and lists every referenced instance in the
/// Current Requested Procedure Evidence Sequence.
/// </summary>
public static class StructuredReportBuilder
{
    /// <summary>Completion Flag Description of a partial result.</summary>
    public const string PartialDescription = "Only part of the series was analysed";

    /// <summary>Creates the data set. Write it with <c>DicomFileWriter.Save(path, dataset, TransferSyntax.ExplicitVRLittleEndian)</c>.</summary>
    /// <param name="series">The new SR series and the source instance whose study it joins.</param>
    /// <param name="algorithm">The algorithm, for equipment, provenance and the Algorithm Name / Version items.</param>
    /// <param name="finding">The result to report.</param>
    /// <param name="secondaryCaptures">The Secondary Capture renderings made for this result (in the same study); may be empty.</param>
    /// <param name="sopInstanceUid">SOP Instance UID to use; a new one is generated when null.</param>
    /// <exception cref="ArgumentException">An input is inconsistent (the message names it).</exception>
    public static DicomDataset Create(DerivedSeries series, AlgorithmIdentity algorithm, TriageFinding finding, IReadOnlyList<ReferencedImage> secondaryCaptures, string? sopInstanceUid = null)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(secondaryCaptures);
        if (secondaryCaptures.Any(s => s is null))
        {
            throw new ArgumentException("secondaryCaptures contains a null entry", nameof(secondaryCaptures));
        }

        var dataset = DerivedInstance.Create(series, algorithm, DicomUid.ComprehensiveSRStorage, sopInstanceUid, "SR");

        // SR Document Series (C.17.1): the referenced performed procedure step is Type 2 (unknown here: empty).
        dataset.AddSequence(DicomTags.ReferencedPerformedProcedureStepSequence);

        // SR Document General (C.17.2)
        dataset.AddString(DicomTags.InstanceNumber, "1", DicomVR.IS);
        dataset.AddString(DicomTags.ContentDate, DicomText.Date(series.Created));
        dataset.AddString(DicomTags.ContentTime, DicomText.Time(series.Created));
        dataset.AddString(DicomTags.CompletionFlag, finding.Partial ? "PARTIAL" : "COMPLETE");
        if (finding.Partial)
        {
            dataset.AddString(DicomTags.CompletionFlagDescription, PartialDescription);
        }

        dataset.AddString(DicomTags.VerificationFlag, "UNVERIFIED");
        dataset.AddSequence(DicomTags.PerformedProcedureCodeSequence);
        var studyUid = dataset.GetString(DicomTags.StudyInstanceUID);
        dataset.AddSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, Evidence(studyUid, [.. finding.KeySlices, .. secondaryCaptures]));

        // SR Document Content (C.17.3): the root container.
        dataset.AddString(DicomTags.ValueType, "CONTAINER");
        dataset.AddSequence(DicomTags.ConceptNameCodeSequence, ReportCodes.CtHeadReport.ToItem());
        dataset.AddString(DicomTags.ContinuityOfContent, "SEPARATE");
        dataset.AddSequence(DicomTags.ContentSequence, [.. RootContent(algorithm, finding, secondaryCaptures)]);
        return dataset;
    }

    /// <summary>The text of the threshold item (Algorithm Parameters).</summary>
    public static string ThresholdText(double threshold) =>
        string.Create(CultureInfo.InvariantCulture, $"decision threshold {threshold * 100:0.##} % on the study Certainty of Finding (probability {threshold:0.####}); at or above it the result is Present");

    private static IEnumerable<DicomDataset> RootContent(AlgorithmIdentity algorithm, TriageFinding finding, IReadOnlyList<ReferencedImage> secondaryCaptures)
    {
        yield return ContentItem.Text(ContentItem.Contains, ReportCodes.Comment, DerivedInstance.Disclaimer);
        var note = NoteText(finding);
        if (note is not null)
        {
            yield return ContentItem.Text(ContentItem.Contains, ReportCodes.Comment, note);
        }

        yield return ContentItem.Code(
            ContentItem.Contains,
            ReportCodes.IntracranialHemorrhage,
            finding.Positive switch { true => ReportCodes.Present, false => ReportCodes.Absent, null => ReportCodes.Indeterminate },
            [.. FindingChildren(algorithm, finding)]);
        foreach (var capture in secondaryCaptures)
        {
            yield return ContentItem.Image(ContentItem.Contains, ReportCodes.BestIllustrationOfFinding, capture.SopClassUid, capture.SopInstanceUid);
        }
    }

    private static IEnumerable<DicomDataset> FindingChildren(AlgorithmIdentity algorithm, TriageFinding finding)
    {
        // TID 4019 Algorithm Identification style items.
        yield return ContentItem.Text(ContentItem.HasConceptModifier, ReportCodes.AlgorithmName, algorithm.Name);
        yield return ContentItem.Text(ContentItem.HasConceptModifier, ReportCodes.AlgorithmVersion, algorithm.Version);
        yield return ContentItem.Text(ContentItem.HasConceptModifier, ReportCodes.AlgorithmParameters, ThresholdText(finding.Threshold));
        yield return ContentItem.Number(ContentItem.HasProperties, ReportCodes.CertaintyOfFinding, Percent(finding.Probability), ReportCodes.Percent);
        foreach (var (label, probability) in finding.Subtypes.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var certainty = ContentItem.Number(ContentItem.HasProperties, ReportCodes.CertaintyOfFinding, Percent(probability), ReportCodes.Percent);
            yield return ReportCodes.Subtype(label) is CodedConcept code
                ? ContentItem.Code(ContentItem.HasProperties, ReportCodes.Finding, code, certainty)
                : ContentItem.Text(ContentItem.HasProperties, ReportCodes.Finding, SubtypeText(label), certainty);
        }

        foreach (var slice in finding.KeySlices)
        {
            yield return ContentItem.Image(ContentItem.InferredFrom, ReportCodes.BestIllustrationOfFinding, slice.SopClassUid, slice.SopInstanceUid);
        }
    }

    /// <summary>The text finding of a subtype without a verified code, e.g. "subdural hemorrhage (subtype score)".</summary>
    public static string SubtypeText(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return $"{label.Trim()} hemorrhage (subtype score)";
    }

    private static string? NoteText(TriageFinding finding)
    {
        var note = string.IsNullOrWhiteSpace(finding.Note) ? null : finding.Note.Trim();
        if (!finding.Partial)
        {
            return note;
        }

        return note is null ? $"Partial result: {PartialDescription.ToLowerInvariant()}." : $"Partial result: {note}";
    }

    /// <summary>Probability (0 to 1) as a percentage rounded to 0.01 %.</summary>
    private static double Percent(double probability) => Math.Round(probability * 100, 2, MidpointRounding.AwayFromZero);

    /// <summary>Hierarchical SOP Instance Reference items (PS3.3 Table C.17-3): one study, its series, their instances.</summary>
    private static DicomDataset[] Evidence(string studyUid, IReadOnlyList<ReferencedImage> references)
    {
        if (references.Count == 0)
        {
            return [];
        }

        var series = references
            .GroupBy(r => r.SeriesInstanceUid, StringComparer.Ordinal)
            .Select(group =>
            {
                var item = new DicomDataset();
                var instances = group
                    .DistinctBy(r => r.SopInstanceUid, StringComparer.Ordinal)
                    .Select(r => DerivedInstance.SopReference(r.SopClassUid, r.SopInstanceUid))
                    .ToArray();
                item.AddSequence(DicomTags.ReferencedSOPSequence, instances);
                item.AddString(DicomTags.SeriesInstanceUID, group.Key, DicomVR.UI);
                return item;
            })
            .ToArray();
        var study = new DicomDataset();
        study.AddSequence(DicomTags.ReferencedSeriesSequence, series);
        study.AddString(DicomTags.StudyInstanceUID, studyUid, DicomVR.UI);
        return [study];
    }
}
