using Headsup.Dicom;

namespace Headsup.Phantom.Output;

/// <summary>Repeatable DICOM UIDs: a version-4-shaped UUID drawn from a seeded random source, under the 2.25 root.</summary>
public static class SeededUid
{
    /// <summary>The next UID from <paramref name="random"/>.</summary>
    public static string Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return DicomUid.FromGuid(new Guid(bytes));
    }
}
