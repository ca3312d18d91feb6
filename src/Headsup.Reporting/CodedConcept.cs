using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>A coded concept (Code Sequence Macro, PS3.3 Table 8.8-1): value, coding scheme designator and meaning.</summary>
/// <param name="Value">Code Value (0008,0100).</param>
/// <param name="Scheme">Coding Scheme Designator (0008,0102), e.g. DCM, SCT, LN, UCUM.</param>
/// <param name="Meaning">Code Meaning (0008,0104).</param>
public readonly record struct CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>The concept as one code sequence item.</summary>
    public DicomDataset ToItem()
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.CodeValue, Value);
        item.AddString(DicomTags.CodingSchemeDesignator, Scheme);
        item.AddString(DicomTags.CodeMeaning, Meaning);
        return item;
    }

    /// <summary>"(value, scheme, "meaning")", the notation of PS3.16 and of dsrdump.</summary>
    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
