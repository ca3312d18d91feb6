using System.Text;
using Headsup.Dicom;

namespace Headsup.Deidentification.Cleaning;

/// <summary>
/// The non-zero-length replacement values ("D") this library writes, one per VR: a fixed word for text, the earliest
/// plausible date and midnight for dates and times, zero for numbers and binary values. UIDs are never dummied: they
/// are mapped (<see cref="Keys.IdentifierMapper.MapUid"/>).
/// </summary>
public static class DummyValues
{
    /// <summary>The text written for names, labels and descriptions.</summary>
    public const string Text = "ANONYMIZED";

    /// <summary>The person name written for PN: the text as family name, with the component separator so that readers do not take it for the retired single-component form.</summary>
    public const string PersonName = Text + "^";

    /// <summary>The date written for DA (and the date part of DT) when dates are not shifted.</summary>
    public const string Date = "19000101";

    /// <summary>The time written for TM.</summary>
    public const string Time = "000000";

    /// <summary>The value written for DT.</summary>
    public const string DateTime = Date + Time;

    /// <summary>True for the VRs whose values are free text (names, labels, descriptions, addresses): replaced inside a "D" sequence.</summary>
    public static bool IsFreeText(DicomVR vr) => vr is DicomVR.AE or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH
        or DicomVR.ST or DicomVR.UC or DicomVR.UT or DicomVR.UR;

    /// <summary>The dummy value's bytes for <paramref name="vr"/> (little endian; padding is added by the writer).</summary>
    public static byte[] For(DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.CS or DicomVR.LO or DicomVR.LT or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT
            => Encoding.ASCII.GetBytes(Text),
        DicomVR.PN => Encoding.ASCII.GetBytes(PersonName),
        DicomVR.UR => Encoding.ASCII.GetBytes("urn:x-anonymized"),
        DicomVR.DA => Encoding.ASCII.GetBytes(Date),
        DicomVR.TM => Encoding.ASCII.GetBytes(Time),
        DicomVR.DT => Encoding.ASCII.GetBytes(DateTime),
        DicomVR.AS => Encoding.ASCII.GetBytes("000Y"),
        DicomVR.DS or DicomVR.IS => Encoding.ASCII.GetBytes("0"),
        DicomVR.UI => throw new ArgumentException("UIDs are mapped, not dummied", nameof(vr)),
        _ => new byte[Math.Max(1, vr.UnitSize())],
    };
}
