using System.Numerics;

namespace Headsup.Dicom;

/// <summary>Creates globally unique DICOM UIDs.</summary>
public static class DicomUid
{
    /// <summary>Secondary Capture Image Storage.</summary>
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";

    /// <summary>CT Image Storage.</summary>
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>Enhanced CT Image Storage.</summary>
    public const string EnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";

    /// <summary>Comprehensive SR Storage.</summary>
    public const string ComprehensiveSRStorage = "1.2.840.10008.5.1.4.1.1.88.33";

    /// <summary>Media Storage Directory Storage (DICOMDIR).</summary>
    public const string MediaStorageDirectoryStorage = "1.2.840.10008.1.3.10";

    /// <summary>Implementation Class UID of this software (UUID-derived, PS3.5 B.2).</summary>
    public const string ImplementationClassUid = "2.25.160707327935914823413297153617390812657";

    /// <summary>A new UID under the 2.25 root from a random UUID (PS3.5 B.2).</summary>
    public static string Generate() => FromGuid(Guid.NewGuid());

    /// <summary>A deterministic UID from a UUID (for seeded, repeatable output).</summary>
    public static string FromGuid(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[17];
        guid.TryWriteBytes(bytes[..16], bigEndian: true, out _);
        bytes[16] = 0;
        bytes[..16].Reverse();
        return "2.25." + new BigInteger(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
