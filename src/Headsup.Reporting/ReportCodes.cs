namespace Headsup.Reporting;

/// <summary>
/// Every code the outputs use. Each was checked against text derived from the DICOM standard before use; where the
/// source is not the standard itself, the comment says so. docs/dicom-outputs.md lists the same table.
/// </summary>
public static class ReportCodes
{
    /// <summary>Document title of the SR: LOINC 24725-4 "CT Head Report", a member of CID 7000 (Diagnostic Imaging Report Document Title).</summary>
    public static readonly CodedConcept CtHeadReport = new("24725-4", "LN", "CT Head Report");

    /// <summary>DCM 121071 "Finding" (PS3.16 Table D-1: "An observation found on an imaging study"). DCM 121070 "Findings" is retired, so no findings container is used.</summary>
    public static readonly CodedConcept Finding = new("121071", "DCM", "Finding");

    /// <summary>DCM 121106 "Comment" (PS3.16 Table D-1), the concept name of the free-text items.</summary>
    public static readonly CodedConcept Comment = new("121106", "DCM", "Comment");

    /// <summary>DCM 121080 "Best illustration of finding" (PS3.16 Table D-1), the concept name of the key-slice IMAGE items.</summary>
    public static readonly CodedConcept BestIllustrationOfFinding = new("121080", "DCM", "Best illustration of finding");

    /// <summary>DCM 111012 "Certainty of Finding", a member of CID 6048 (CAD Operating Point Axis Label), for the probabilities (in percent).</summary>
    public static readonly CodedConcept CertaintyOfFinding = new("111012", "DCM", "Certainty of Finding");

    /// <summary>DCM 111001 "Algorithm Name" (TID 4019 Algorithm Identification).</summary>
    public static readonly CodedConcept AlgorithmName = new("111001", "DCM", "Algorithm Name");

    /// <summary>DCM 111003 "Algorithm Version" (TID 4019 Algorithm Identification).</summary>
    public static readonly CodedConcept AlgorithmVersion = new("111003", "DCM", "Algorithm Version");

    /// <summary>
    /// DCM 111002 "Algorithm Parameters" (TID 4019 Algorithm Identification), which carries the decision threshold: no
    /// standard concept for a decision threshold on a probability was found, so it is written as a parameter text.
    /// </summary>
    public static readonly CodedConcept AlgorithmParameters = new("111002", "DCM", "Algorithm Parameters");

    /// <summary>DCM 109102 "Processing Equipment", a member of CID 7005 (Contributing Equipment Purpose of Reference).</summary>
    public static readonly CodedConcept ProcessingEquipment = new("109102", "DCM", "Processing Equipment");

    /// <summary>DCM 121322 "Source image for image processing operation", a member of CID 7202 (Source Image Purpose of Reference).</summary>
    public static readonly CodedConcept SourceImageForProcessing = new("121322", "DCM", "Source image for image processing operation");

    /// <summary>SCT 52101004 "Present", a member of CID 240/241 (Present-Absent).</summary>
    public static readonly CodedConcept Present = new("52101004", "SCT", "Present");

    /// <summary>SCT 272519000 "Absent", the "Absent" of CID 240/241 (Present-Absent).</summary>
    public static readonly CodedConcept Absent = new("272519000", "SCT", "Absent");

    /// <summary>SCT 82334004 "Indeterminate": no decision was made (the model's study threshold is not supported by real data).</summary>
    public static readonly CodedConcept Indeterminate = new("82334004", "SCT", "Indeterminate");

    /// <summary>
    /// SCT 1386000 "Intracranial hemorrhage". Not found in a DICOM context group; checked in SNOMED CT value sets
    /// published with HL7 FHIR (display "Intracranial hemorrhage (disorder)").
    /// </summary>
    public static readonly CodedConcept IntracranialHemorrhage = new("1386000", "SCT", "Intracranial hemorrhage");

    /// <summary>SCT 21454007 "Subarachnoid intracranial hemorrhage" (SNOMED CT; checked in the VSAC Hemorrhagic Stroke value set).</summary>
    public static readonly CodedConcept SubarachnoidHemorrhage = new("21454007", "SCT", "Subarachnoid intracranial hemorrhage");

    /// <summary>SCT 274100004 "Cerebral hemorrhage" (SNOMED CT; checked in the VSAC Hemorrhagic Stroke value set), used for the intraparenchymal subtype.</summary>
    public static readonly CodedConcept CerebralHemorrhage = new("274100004", "SCT", "Cerebral hemorrhage");

    /// <summary>UCUM "%" "percent", the unit of the probabilities (CID 6048 certainty is a 0 to 100 scale).</summary>
    public static readonly CodedConcept Percent = new("%", "UCUM", "percent");

    /// <summary>
    /// The coded concept of a subtype label, or null when no verified code exists for it (subdural, epidural and
    /// intraventricular: the candidate SNOMED CT codes seen in third-party code disagreed, and none was found in a
    /// DICOM or HL7 value set, so those subtypes are written as text findings instead of with an unchecked code).
    /// </summary>
    public static CodedConcept? Subtype(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return label.Trim().ToUpperInvariant() switch
        {
            "SUBARACHNOID" => SubarachnoidHemorrhage,
            "INTRAPARENCHYMAL" or "INTRACEREBRAL" => CerebralHemorrhage,
            _ => null,
        };
    }
}
