using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Headsup.Dicom;

/// <summary>
/// Reads DICOM Part 10 files and bare data sets: preamble + "DICM" + file meta, or a data set from byte 0;
/// explicit/implicit VR little endian, explicit VR big endian and deflated explicit VR little endian.
/// Values are slices of the input buffer (no copy) except where big-endian input needs swapping.
/// </summary>
public static class DicomFileReader
{
    private const int PreambleLength = 128;

    /// <summary>Reads a file from disk.</summary>
    /// <exception cref="DicomParseException">The file is not well-formed DICOM.</exception>
    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FileNotFoundException($"{path}: file not found", path);
            }

            if (info.Length > options.MaxFileBytes)
            {
                throw new DicomParseException(path, 0, null, $"file is {info.Length} bytes, more than the limit of {options.MaxFileBytes}");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new DicomParseException(path, 0, null, "could not read the file: " + ex.Message, ex);
        }

        return Parse(bytes, path, options);
    }

    /// <summary>Reads a stream to its end (bounded by <see cref="DicomReadOptions.MaxFileBytes"/>) and parses it.</summary>
    public static DicomFile Open(Stream stream, string sourceName, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DicomReadOptions.Default;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > options.MaxFileBytes)
            {
                throw new DicomParseException(sourceName, buffer.Length, null, $"stream is longer than the limit of {options.MaxFileBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), sourceName, options);
    }

    /// <summary>Parses bytes already in memory. The returned elements reference <paramref name="bytes"/>.</summary>
    public static DicomFile Parse(ReadOnlyMemory<byte> bytes, string sourceName, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        var span = bytes.Span;
        var meta = new DicomDataset(sourceName);
        int offset;
        bool hasPreamble = false;

        if (span.Length >= PreambleLength + 4 && span.Slice(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            hasPreamble = true;
            offset = PreambleLength + 4;
            offset = ReadFileMeta(bytes, offset, meta, sourceName, options);
        }
        else if (span.Length >= 4 && span[..4].SequenceEqual("DICM"u8))
        {
            offset = ReadFileMeta(bytes, 4, meta, sourceName, options);
        }
        else if (span.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(span) == 0x0002)
        {
            offset = ReadFileMeta(bytes, 0, meta, sourceName, options);
        }
        else
        {
            offset = 0;
        }

        var warnings = new List<string>();
        TransferSyntax syntax;
        if (meta.Count > 0)
        {
            if (!meta.TryGetString(DicomTags.TransferSyntaxUID, out var uid))
            {
                throw new DicomParseException(sourceName, offset, DicomTags.TransferSyntaxUID, "file meta information has no Transfer Syntax UID");
            }

            syntax = TransferSyntax.TryLookup(uid, out var known)
                ? known
                : new TransferSyntax(uid, "Unknown", IsExplicitVR: true, IsBigEndian: false, IsDeflated: false, IsEncapsulated: true, IsLossy: true);
        }
        else
        {
            int skipped;
            (syntax, skipped) = GuessSyntax(span[offset..], sourceName, offset);
            if (skipped > 0)
            {
                warnings.Add($"no preamble or file meta; skipped {skipped} stray byte(s) before the first element");
                offset += skipped;
            }
        }

        ReadOnlyMemory<byte> body = bytes[offset..];
        long bodyBase = offset;
        if (syntax.IsDeflated)
        {
            body = Inflate(body, sourceName, offset, options);
            bodyBase = 0;
        }

        var parser = new DatasetParser(body, sourceName, syntax.IsExplicitVR, syntax.IsBigEndian, options, bodyBase);
        var dataset = parser.ParseTopLevel();
        return new DicomFile(sourceName, meta, dataset, syntax, hasPreamble) { Warnings = warnings, StoppedAtPixelData = parser.StoppedAtPixelData };
    }

    private static int ReadFileMeta(ReadOnlyMemory<byte> bytes, int offset, DicomDataset meta, string sourceName, DicomReadOptions options)
    {
        // The file meta group is always explicit VR little endian (PS3.10 7.1). Read elements while the group is 0002.
        var parser = new DatasetParser(bytes, sourceName, explicitVR: true, bigEndian: false, options, 0);
        return parser.ParseGroup2(offset, meta);
    }

    /// <summary>
    /// For a stream without preamble and file meta, finds where the data set starts (normally byte 0; a few stray
    /// leading bytes are skipped, as in pydicom's no_meta.dcm) and which little/big endian, explicit/implicit VR it uses.
    /// </summary>
    private static (TransferSyntax Syntax, int Skipped) GuessSyntax(ReadOnlySpan<byte> span, string sourceName, long offset)
    {
        const int MaxStrayBytes = 8;
        for (int skip = 0; skip <= MaxStrayBytes && skip + 8 <= span.Length; skip++)
        {
            var s = span[skip..];
            ushort groupLe = BinaryPrimitives.ReadUInt16LittleEndian(s);
            ushort groupBe = BinaryPrimitives.ReadUInt16BigEndian(s);
            bool vrLetters = IsUpper(s[4]) && IsUpper(s[5]) && DicomVRInfo.TryParse(s[4], s[5], out _);
            if (IsPlausibleFirstGroup(groupLe))
            {
                if (vrLetters)
                {
                    return (TransferSyntax.ExplicitVRLittleEndian, skip);
                }

                uint implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
                if (implicitLength <= (uint)(s.Length - 8) || implicitLength == 0xFFFFFFFF)
                {
                    return (TransferSyntax.ImplicitVRLittleEndian, skip);
                }
            }

            if (IsPlausibleFirstGroup(groupBe) && vrLetters)
            {
                return (TransferSyntax.ExplicitVRBigEndian, skip);
            }
        }

        throw new DicomParseException(sourceName, offset, null, "not a DICOM file: no \"DICM\" marker at byte 128 and no data set recognised at the start");
    }

    private static bool IsPlausibleFirstGroup(ushort group) => group is >= 0x0002 and <= 0x0028 && (group & 1) == 0;

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private static ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> body, string sourceName, long offset, DicomReadOptions options)
    {
        try
        {
            using var input = new MemoryStream(body.ToArray(), writable: false);
            using var inflater = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[65536];
            int read;
            while ((read = inflater.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > options.MaxInflatedBytes)
                {
                    throw new DicomParseException(sourceName, offset, null, $"deflated data set inflates to more than {options.MaxInflatedBytes} bytes");
                }

                output.Write(chunk, 0, read);
            }

            return output.GetBuffer().AsMemory(0, (int)output.Length);
        }
        catch (InvalidDataException ex)
        {
            throw new DicomParseException(sourceName, offset, null, "deflated data set is corrupt: " + ex.Message, ex);
        }
    }

    internal static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
