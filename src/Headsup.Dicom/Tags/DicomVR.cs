namespace Headsup.Dicom;

/// <summary>DICOM value representations (PS3.5 6.2).</summary>
public enum DicomVR : byte
{
    /// <summary>Unknown.</summary>
    UN, AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UR, US, UT, UV,
}

/// <summary>Facts about value representations.</summary>
public static class DicomVRInfo
{
    private static readonly Dictionary<ushort, DicomVR> s_byCode = Enum.GetValues<DicomVR>()
        .ToDictionary(vr => Code(vr.ToString()), vr => vr);

    private static ushort Code(string text) => (ushort)((text[0] << 8) | text[1]);

    /// <summary>Parses the two ASCII bytes of an explicit VR.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr) =>
        s_byCode.TryGetValue((ushort)((first << 8) | second), out vr);

    /// <summary>True when explicit VR encoding uses 2 reserved bytes and a 32-bit length (PS3.5 7.1.2).</summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT or DicomVR.SV or DicomVR.UV;

    /// <summary>True for character-string VRs (values are text, multi-valued with backslash where allowed).</summary>
    public static bool IsString(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS
        or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM
        or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    /// <summary>True when the value may hold several values separated by backslash.</summary>
    public static bool IsMultiValuedString(this DicomVR vr) => vr.IsString() && vr is not (DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR);

    /// <summary>Size in bytes of one binary value (the unit to swap for big endian), 1 for strings and bytes.</summary>
    public static int UnitSize(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.OV or DicomVR.SV or DicomVR.UV => 8,
        _ => 1,
    };

    /// <summary>The padding byte for even lengths: space for strings, NUL for UI and binary.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr.IsString() && vr != DicomVR.UI ? (byte)' ' : (byte)0;
}
