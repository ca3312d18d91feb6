using System.Text;
using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>
/// Copies the Patient, General Study and Patient Study modules (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2) from an instance of
/// the analysed series into a new instance of the same study. Text is re-encoded as UTF-8 (the outputs declare
/// ISO_IR 192); Type 2 attributes the source lacks are written empty, as the modules require.
/// </summary>
internal static class SourceModules
{
    /// <summary>Type 2 attributes: present in every output, empty when the source has no value.</summary>
    private static readonly DicomTag[] s_typeTwo =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    /// <summary>Type 3 attributes copied when the source has them.</summary>
    private static readonly DicomTag[] s_optional =
    [
        // Patient module
        DicomTags.IssuerOfPatientID, DicomTags.IssuerOfPatientIDQualifiersSequence, DicomTags.TypeOfPatientID,
        DicomTags.PatientBirthTime, DicomTags.OtherPatientIDsSequence, DicomTags.PatientComments,
        DicomTags.PatientSpeciesDescription, DicomTags.PatientIdentityRemoved, DicomTags.DeidentificationMethod,
        DicomTags.DeidentificationMethodCodeSequence,
        // General Study module
        DicomTags.IssuerOfAccessionNumberSequence, DicomTags.StudyDescription, DicomTags.PhysiciansOfRecord,
        DicomTags.NameOfPhysiciansReadingStudy, DicomTags.ReferencedStudySequence, DicomTags.ProcedureCodeSequence,
        // Patient Study module
        DicomTags.AdmittingDiagnosesDescription, DicomTags.PatientAge, DicomTags.PatientSize, DicomTags.PatientWeight,
        DicomTags.PatientSexNeutered, DicomTags.Occupation, DicomTags.AdditionalPatientHistory,
    ];

    /// <summary>What is written when the source says the patient was de-identified but not how (the module then requires a method).</summary>
    public const string UnrecordedDeidentification = "de-identified upstream; method not recorded";

    /// <summary>Copies the modules into <paramref name="target"/>; the Study Instance UID is required.</summary>
    /// <exception cref="ArgumentException">The source lacks a Study Instance UID, or holds non-ASCII text in a character set this library cannot decode.</exception>
    public static void CopyInto(DicomDataset source, DicomDataset target)
    {
        if (!source.TryGetString(DicomTags.StudyInstanceUID, out var studyUid))
        {
            throw new ArgumentException($"the source instance {source.SourceName} has no Study Instance UID (0020,000D)", nameof(source));
        }

        target.AddString(DicomTags.StudyInstanceUID, DicomText.RequireUidValue(studyUid, "source StudyInstanceUID"), DicomVR.UI);
        var decoder = SourceDecoder(source);
        foreach (var tag in s_typeTwo)
        {
            if (!source.TryGetItem(tag, out var item) || !CopyItem(item, target, decoder, source.SourceName))
            {
                target.AddString(tag, string.Empty);
            }
        }

        foreach (var tag in s_optional)
        {
            if (source.TryGetItem(tag, out var item))
            {
                CopyItem(item, target, decoder, source.SourceName);
            }
        }

        // PS3.3 C.7.1.1: De-identification Method or its code sequence is Type 1C when Patient Identity Removed is YES.
        if (target.GetStringOrDefault(DicomTags.PatientIdentityRemoved).Equals("YES", StringComparison.OrdinalIgnoreCase)
            && !target.Contains(DicomTags.DeidentificationMethod) && !target.Contains(DicomTags.DeidentificationMethodCodeSequence))
        {
            target.AddString(DicomTags.DeidentificationMethod, UnrecordedDeidentification);
        }
    }

    private static bool CopyItem(DicomItem item, DicomDataset target, Encoding decoder, string sourceName)
    {
        switch (item)
        {
            case DicomSequence sequence:
                var items = sequence.Items.Select(nested => CopyDataset(nested, decoder, sourceName)).ToArray();
                target.AddSequence(sequence.Tag, items);
                return true;
            case DicomElement element when IsCharacterSetText(element.VR):
                var text = Decode(element, decoder, sourceName).TrimEnd(' ', '\0');
                target.AddString(element.Tag, text, element.VR);
                return true;
            case DicomElement element:
                target.AddBytes(element.Tag, element.VR, element.Value.ToArray());
                return true;
            default:
                return false;
        }
    }

    private static DicomDataset CopyDataset(DicomDataset source, Encoding decoder, string sourceName)
    {
        var copy = new DicomDataset(source.SourceName);
        foreach (var item in source.Items)
        {
            CopyItem(item, copy, decoder, sourceName);
        }

        return copy;
    }

    /// <summary>VRs whose bytes depend on Specific Character Set (PS3.5 6.1.2.3).</summary>
    private static bool IsCharacterSetText(DicomVR vr) => vr is DicomVR.SH or DicomVR.LO or DicomVR.ST or DicomVR.LT or DicomVR.UT or DicomVR.PN or DicomVR.UC;

    private static Encoding SourceDecoder(DicomDataset source)
    {
        var declared = source.GetStrings(DicomTags.SpecificCharacterSet);
        var first = declared.Length == 0 ? string.Empty : declared[0];
        if (declared.Length <= 1 && first is "" or "ISO_IR 6" or "ISO_IR 100" or "ISO_IR 192")
        {
            return first == "ISO_IR 192" ? Encoding.UTF8 : Encoding.Latin1;
        }

        // Another or an extended character set: only pure ASCII text can be copied faithfully.
        return new AsciiOnly(string.Join('\\', declared));
    }

    private static string Decode(DicomElement element, Encoding decoder, string sourceName)
    {
        var bytes = element.Value.Span;
        if (decoder is AsciiOnly asciiOnly && bytes.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) is int bad && bad >= 0 && bytes[bad] is not (0x00 or 0x0D or 0x0A or 0x09 or 0x0C))
        {
            throw new ArgumentException(
                $"{sourceName}: {DicomDictionary.Keyword(element.Tag)} {element.Tag} holds non-ASCII text in character set \"{asciiOnly.Declared}\", which cannot be re-encoded faithfully",
                nameof(element));
        }

        return (decoder is AsciiOnly ? Encoding.ASCII : decoder).GetString(bytes);
    }

    /// <summary>Marks a source whose character set only allows copying ASCII text.</summary>
    private sealed class AsciiOnly(string declared) : ASCIIEncoding
    {
        public string Declared { get; } = declared;
    }
}
