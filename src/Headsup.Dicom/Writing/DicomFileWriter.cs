using Headsup.Core.IO;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Headsup.Dicom.Writing;

/// <summary>
/// Writes Part 10 files: 128-byte preamble, "DICM", file meta information (explicit VR little endian, group length
/// computed), then the data set in explicit/implicit VR little endian, explicit VR big endian or deflated explicit VR
/// little endian. Sequences and items are written with undefined length; encapsulated pixel data with its offset table.
/// </summary>
public static class DicomFileWriter
{
    private const string ImplementationVersionName = "HEADSUP_0_1";

    /// <summary>Writes a file atomically: to a temporary name beside the target, then renamed.</summary>
    public static void Save(string path, DicomDataset dataset, TransferSyntax syntax) =>
        AtomicFile.Write(path, stream => Write(stream, dataset, syntax));

    /// <summary>
    /// Writes a file to a stream. SOP Class and Instance UIDs for the meta come from the data set. The syntax is one
    /// <see cref="TransferSyntax.Known"/>, or a syntax this library does not know that is described as explicit VR
    /// little endian with encapsulated pixel data (as <see cref="DicomFileReader"/> describes an unknown UID), so a file
    /// compressed with a newer codec is re-written with its fragments copied unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The syntax cannot be written (unknown and not explicit VR little endian encapsulated).</exception>
    public static void Write(Stream stream, DicomDataset dataset, TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        if (!CanWrite(syntax))
        {
            throw new ArgumentException($"cannot write unknown transfer syntax {syntax.Uid}", nameof(syntax));
        }

        var meta = new DicomDataset();
        meta.AddBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        meta.AddString(DicomTags.MediaStorageSOPClassUID, dataset.GetString(DicomTags.SOPClassUID), DicomVR.UI);
        meta.AddString(DicomTags.MediaStorageSOPInstanceUID, dataset.GetString(DicomTags.SOPInstanceUID), DicomVR.UI);
        meta.AddString(DicomTags.TransferSyntaxUID, syntax.Uid, DicomVR.UI);
        meta.AddString(DicomTags.ImplementationClassUID, DicomUid.ImplementationClassUid, DicomVR.UI);
        meta.AddString(DicomTags.ImplementationVersionName, ImplementationVersionName, DicomVR.SH);

        using var metaBody = new MemoryStream();
        WriteDataset(metaBody, meta, explicitVR: true, bigEndian: false);

        stream.Write(new byte[128]);
        stream.Write("DICM"u8);
        var groupLength = new DicomDataset();
        groupLength.AddUInt32(DicomTags.FileMetaInformationGroupLength, (uint)metaBody.Length);
        WriteDataset(stream, groupLength, explicitVR: true, bigEndian: false);
        metaBody.Position = 0;
        metaBody.CopyTo(stream);

        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            WriteDataset(deflate, dataset, explicitVR: true, bigEndian: false);
        }
        else
        {
            WriteDataset(stream, dataset, syntax.IsExplicitVR, syntax.IsBigEndian);
        }
    }

    /// <summary>
    /// True when <see cref="Write"/> can encode a data set in <paramref name="syntax"/>: a known syntax, or an unknown
    /// UID (at most 64 characters) described as explicit VR little endian, not deflated, with encapsulated pixel data.
    /// </summary>
    public static bool CanWrite(TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        return TransferSyntax.TryLookup(syntax.Uid, out _)
            || (syntax.Uid.Length is > 0 and <= 64 && syntax.IsExplicitVR && !syntax.IsBigEndian && !syntax.IsDeflated && syntax.IsEncapsulated);
    }

    /// <summary>Writes a bare data set (no preamble or meta), e.g. for files without file meta information.</summary>
    public static void WriteDataset(Stream stream, DicomDataset dataset, bool explicitVR, bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        foreach (var item in dataset.Items)
        {
            WriteItem(stream, item, explicitVR, bigEndian);
        }
    }

    private static void WriteItem(Stream stream, DicomItem item, bool explicitVR, bool bigEndian)
    {
        switch (item)
        {
            case DicomElement element:
                var value = element.Value.Span;
                bool pad = (value.Length & 1) == 1;
                uint length = (uint)(value.Length + (pad ? 1 : 0));
                WriteHeader(stream, element.Tag, element.VR, length, explicitVR, bigEndian);
                int unit = element.VR.UnitSize();
                if (bigEndian && unit > 1)
                {
                    var copy = value.ToArray();
                    for (int i = 0; i + unit <= copy.Length; i += unit)
                    {
                        copy.AsSpan(i, unit).Reverse();
                    }

                    stream.Write(copy);
                }
                else
                {
                    stream.Write(value);
                }

                if (pad)
                {
                    stream.WriteByte(element.VR.PaddingByte());
                }

                break;
            case DicomSequence sequence:
                WriteHeader(stream, sequence.Tag, DicomVR.SQ, 0xFFFFFFFF, explicitVR, bigEndian);
                foreach (var nested in sequence.Items)
                {
                    WriteTagLength(stream, DicomTag.Item, 0xFFFFFFFF, bigEndian);
                    WriteDataset(stream, nested, explicitVR, bigEndian);
                    WriteTagLength(stream, DicomTag.ItemDelimitation, 0, bigEndian);
                }

                WriteTagLength(stream, DicomTag.SequenceDelimitation, 0, bigEndian);
                break;
            case DicomFragments fragments:
                WriteHeader(stream, fragments.Tag, DicomVR.OB, 0xFFFFFFFF, explicitVR, bigEndian);
                WriteTagLength(stream, DicomTag.Item, (uint)(fragments.BasicOffsetTable.Count * 4), bigEndian);
                Span<byte> word = stackalloc byte[4];
                foreach (var offset in fragments.BasicOffsetTable)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(word, offset);
                    stream.Write(word);
                }

                foreach (var fragment in fragments.Fragments)
                {
                    var data = fragment.Data.Span;
                    bool padFragment = (data.Length & 1) == 1;
                    WriteTagLength(stream, DicomTag.Item, (uint)(data.Length + (padFragment ? 1 : 0)), bigEndian);
                    stream.Write(data);
                    if (padFragment)
                    {
                        stream.WriteByte(0);
                    }
                }

                WriteTagLength(stream, DicomTag.SequenceDelimitation, 0, bigEndian);
                break;
            default:
                throw new ArgumentException($"unknown item type {item.GetType().Name}", nameof(item));
        }
    }

    private static void WriteHeader(Stream stream, DicomTag tag, DicomVR vr, uint length, bool explicitVR, bool bigEndian)
    {
        Span<byte> header = stackalloc byte[12];
        WriteUInt16(header, tag.Group, bigEndian);
        WriteUInt16(header[2..], tag.Element, bigEndian);
        if (!explicitVR)
        {
            WriteUInt32(header[4..], length, bigEndian);
            stream.Write(header[..8]);
            return;
        }

        var name = vr.ToString();
        header[4] = (byte)name[0];
        header[5] = (byte)name[1];
        if (vr.HasLongLength())
        {
            header[6] = 0;
            header[7] = 0;
            WriteUInt32(header[8..], length, bigEndian);
            stream.Write(header);
        }
        else
        {
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException($"{tag}: value of {length} bytes is too long for VR {vr}");
            }

            WriteUInt16(header[6..], (ushort)length, bigEndian);
            stream.Write(header[..8]);
        }
    }

    private static void WriteTagLength(Stream stream, DicomTag tag, uint length, bool bigEndian)
    {
        Span<byte> header = stackalloc byte[8];
        WriteUInt16(header, tag.Group, bigEndian);
        WriteUInt16(header[2..], tag.Element, bigEndian);
        WriteUInt32(header[4..], length, bigEndian);
        stream.Write(header);
    }

    private static void WriteUInt16(Span<byte> span, ushort value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        }
    }

    private static void WriteUInt32(Span<byte> span, uint value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }
}
