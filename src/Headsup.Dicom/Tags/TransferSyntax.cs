namespace Headsup.Dicom;

/// <summary>How a data set and its pixel data are encoded (PS3.5 10, Annex A).</summary>
public sealed record TransferSyntax(string Uid, string Name, bool IsExplicitVR, bool IsBigEndian, bool IsDeflated, bool IsEncapsulated, bool IsLossy)
{
    /// <summary>Implicit VR Little Endian (1.2.840.10008.1.2).</summary>
    public static readonly TransferSyntax ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false, false);

    /// <summary>Explicit VR Little Endian.</summary>
    public static readonly TransferSyntax ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false, false);

    /// <summary>Deflated Explicit VR Little Endian.</summary>
    public static readonly TransferSyntax DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false, false);

    /// <summary>Explicit VR Big Endian (retired, still found in archives).</summary>
    public static readonly TransferSyntax ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false, false);

    /// <summary>JPEG Baseline (Process 1).</summary>
    public static readonly TransferSyntax JpegBaseline = Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", lossy: true);

    /// <summary>JPEG Extended (Process 2 and 4).</summary>
    public static readonly TransferSyntax JpegExtended = Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", lossy: true);

    /// <summary>JPEG Lossless, Non-Hierarchical (Process 14), any predictor.</summary>
    public static readonly TransferSyntax JpegLossless = Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)", lossy: false);

    /// <summary>JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1).</summary>
    public static readonly TransferSyntax JpegLosslessSV1 = Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless (Process 14, SV1)", lossy: false);

    /// <summary>JPEG-LS Lossless.</summary>
    public static readonly TransferSyntax JpegLsLossless = Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", lossy: false);

    /// <summary>JPEG-LS Near-Lossless.</summary>
    public static readonly TransferSyntax JpegLsNearLossless = Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", lossy: true);

    /// <summary>JPEG 2000 Lossless Only.</summary>
    public static readonly TransferSyntax Jpeg2000Lossless = Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)", lossy: false);

    /// <summary>JPEG 2000 (lossy or lossless).</summary>
    public static readonly TransferSyntax Jpeg2000 = Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000", lossy: true);

    /// <summary>RLE Lossless.</summary>
    public static readonly TransferSyntax RleLossless = Encapsulated("1.2.840.10008.1.2.5", "RLE Lossless", lossy: false);

    private static readonly Dictionary<string, TransferSyntax> s_known = new[]
    {
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, JpegBaseline,
        JpegExtended, JpegLossless, JpegLosslessSV1, JpegLsLossless, JpegLsNearLossless, Jpeg2000Lossless, Jpeg2000, RleLossless,
    }.ToDictionary(ts => ts.Uid, StringComparer.Ordinal);

    private static TransferSyntax Encapsulated(string uid, string name, bool lossy) => new(uid, name, true, false, false, true, lossy);

    /// <summary>All transfer syntaxes this library knows by UID.</summary>
    public static IReadOnlyCollection<TransferSyntax> Known => s_known.Values;

    /// <summary>Finds a known transfer syntax by UID.</summary>
    public static bool TryLookup(string uid, out TransferSyntax syntax)
    {
        if (s_known.TryGetValue(uid, out var found))
        {
            syntax = found;
            return true;
        }

        syntax = null!;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Uid})";
}
