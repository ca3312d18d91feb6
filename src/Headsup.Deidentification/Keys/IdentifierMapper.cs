using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Headsup.Deidentification.Keys;

/// <summary>
/// Maps identifiers with HMAC-SHA256 under the site key, each kind under its own label so the outputs of one kind say
/// nothing about another: UIDs to "2.25." UIDs, Patient IDs to "ANON-" pseudonyms, Patient IDs to a date offset. The
/// same key and input always give the same output, so files de-identified in different runs stay linked; without the
/// key the originals cannot be recovered or confirmed by guessing (unlike a plain hash).
/// </summary>
public sealed class IdentifierMapper
{
    /// <summary>The prefix of every patient pseudonym.</summary>
    public const string PseudonymPrefix = "ANON-";

    private readonly byte[] _key;

    /// <summary>Creates the mapper.</summary>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="DeidentificationKey.MinimumBytes"/>.</exception>
    public IdentifierMapper(ReadOnlySpan<byte> key)
    {
        if (key.Length < DeidentificationKey.MinimumBytes)
        {
            throw new ArgumentException($"the de-identification key has {key.Length} byte(s); at least {DeidentificationKey.MinimumBytes} are needed", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>
    /// A UID for <paramref name="uid"/>: "2.25." and the decimal value of the first 128 bits of the keyed hash, marked
    /// as an RFC 9562 version 8 UUID (PS3.5 B.2), at most 44 characters. Padding (trailing NUL or space) is ignored.
    /// </summary>
    public string MapUid(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        Span<byte> hash = stackalloc byte[32];
        Hash("uid", uid.Trim('\0', ' '), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        var value = BinaryPrimitives.ReadUInt128BigEndian(hash[..16]);
        return "2.25." + value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The pseudonym for a Patient ID: "ANON-" and 16 hex digits (64 bits) of the keyed hash.</summary>
    public string Pseudonym(string patientId)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        Span<byte> hash = stackalloc byte[32];
        Hash("patient", patientId.Trim('\0', ' '), hash);
        return PseudonymPrefix + Convert.ToHexString(hash[..8]);
    }

    /// <summary>The days to move a patient's dates back: 1 to <paramref name="maxDays"/>, from the keyed hash of the Patient ID.</summary>
    public int DateShiftDays(string patientId, int maxDays)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDays, 1);
        Span<byte> hash = stackalloc byte[32];
        Hash("date-shift", patientId.Trim('\0', ' '), hash);
        return 1 + (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)maxDays);
    }

    /// <summary>A short fingerprint of the key (8 hex digits of a keyed hash of a fixed label) to tell keys apart in reports; it reveals nothing of the key.</summary>
    public string KeyId()
    {
        Span<byte> hash = stackalloc byte[32];
        Hash("key-id", string.Empty, hash);
        return Convert.ToHexString(hash[..4]).ToLowerInvariant();
    }

    private void Hash(string label, string value, Span<byte> destination)
    {
        var message = Encoding.UTF8.GetBytes(label + "\0" + value);
        HMACSHA256.HashData(_key, message, destination);
    }
}
