using System.Buffers.Binary;

namespace Headsup.Dicom;

/// <summary>
/// Parses a data set from a buffer: elements, sequences of defined and undefined length, items and delimiters, and
/// encapsulated pixel data. Every length is checked against the bytes that remain, so a lying header gives a
/// <see cref="DicomParseException"/> with the offset and tag instead of a large allocation or a hang.
/// </summary>
internal sealed class DatasetParser
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly string _source;
    private readonly bool _explicitVR;
    private readonly bool _bigEndian;
    private readonly DicomReadOptions _options;
    private readonly long _base;

    public DatasetParser(ReadOnlyMemory<byte> buffer, string source, bool explicitVR, bool bigEndian, DicomReadOptions options, long baseOffset)
    {
        _buffer = buffer;
        _source = source;
        _explicitVR = explicitVR;
        _bigEndian = bigEndian;
        _options = options;
        _base = baseOffset;
    }

    /// <summary>True when the last top-level parse stopped at Pixel Data (<see cref="DicomReadOptions.StopAtPixelData"/>).</summary>
    public bool StoppedAtPixelData { get; private set; }

    public DicomDataset ParseTopLevel()
    {
        var dataset = new DicomDataset(_source);
        int pos = 0;
        ParseDataset(ref pos, _buffer.Length, dataset, _explicitVR, depth: 0, undefinedLengthItem: false, topLevel: true);
        return dataset;
    }

    public int ParseGroup2(int offset, DicomDataset meta)
    {
        int pos = offset;
        var span = _buffer.Span;
        while (pos + 8 <= span.Length && BinaryPrimitives.ReadUInt16LittleEndian(span[pos..]) == 0x0002)
        {
            var item = ReadElement(ref pos, span.Length, explicitVR: true, depth: 0);
            meta.Add(item);
        }

        if (meta.Count == 0)
        {
            throw Error(pos, null, "\"DICM\" marker is not followed by file meta information (group 0002)");
        }

        return pos;
    }

    private void ParseDataset(ref int pos, int end, DicomDataset dataset, bool explicitVR, int depth, bool undefinedLengthItem, bool topLevel)
    {
        var span = _buffer.Span;
        while (pos < end)
        {
            if (end - pos < 8)
            {
                // Trailing zero padding after the last element is common in the wild; anything else is truncation.
                if (topLevel && span[pos..end].IndexOfAnyExcept((byte)0) < 0)
                {
                    pos = end;
                    return;
                }

                throw Error(pos, null, $"element header needs 8 bytes but only {end - pos} remain (truncated file?)");
            }

            var tag = ReadTag(span, pos, explicitVR);
            if (tag == DicomTag.ItemDelimitation)
            {
                if (!undefinedLengthItem)
                {
                    throw Error(pos, tag, "item delimiter outside an item of undefined length");
                }

                pos += 8;
                return;
            }

            if (tag == DicomTag.SequenceDelimitation || tag == DicomTag.Item)
            {
                throw Error(pos, tag, "unexpected item or sequence delimiter inside a data set");
            }

            if (topLevel && _options.StopAtPixelData && tag == DicomTags.PixelData)
            {
                StoppedAtPixelData = true;
                pos = end;
                return;
            }

            var item = ReadElement(ref pos, end, explicitVR, depth);
            dataset.Add(item);
        }

        if (undefinedLengthItem)
        {
            throw Error(pos, null, "item of undefined length has no item delimiter before the end of its container");
        }
    }

    private DicomItem ReadElement(ref int pos, int end, bool explicitVR, int depth)
    {
        var span = _buffer.Span;
        int start = pos;
        var tag = ReadTag(span, pos, explicitVR);
        DicomVR vr;
        uint length;
        int headerLength;
        if (explicitVR)
        {
            byte v0 = span[pos + 4];
            byte v1 = span[pos + 5];
            if (!DicomVRInfo.TryParse(v0, v1, out vr))
            {
                throw Error(start, tag, $"invalid value representation bytes 0x{v0:X2} 0x{v1:X2}");
            }

            if (vr.HasLongLength())
            {
                if (end - pos < 12)
                {
                    throw Error(start, tag, $"element header needs 12 bytes but only {end - pos} remain (truncated file?)");
                }

                length = ReadUInt32(span, pos + 8);
                headerLength = 12;
            }
            else
            {
                length = ReadUInt16(span, pos + 6);
                headerLength = 8;
            }
        }
        else
        {
            vr = DicomDictionary.ImplicitVR(tag);
            length = ReadUInt32(span, pos + 4);
            headerLength = 8;
        }

        int valuePos = pos + headerLength;
        if (length == UndefinedLength)
        {
            if (tag == DicomTags.PixelData)
            {
                pos = valuePos;
                return ReadFragments(ref pos, end, tag, vr, start);
            }

            if (vr is DicomVR.SQ or DicomVR.UN)
            {
                // An undefined-length UN is a sequence encoded in implicit VR little endian (PS3.5 6.2.2, CP-246).
                pos = valuePos;
                bool itemsExplicit = vr == DicomVR.SQ && explicitVR;
                return ReadSequence(ref pos, end, tag, undefinedLength: true, itemsExplicit, depth);
            }

            throw Error(start, tag, $"undefined length is only allowed for sequences and pixel data, not VR {vr}");
        }

        if (length > (uint)(end - valuePos))
        {
            throw Error(start, tag, $"value length {length} runs past the end of its container ({end - valuePos} bytes remain)");
        }

        int valueEnd = valuePos + (int)length;
        if (vr == DicomVR.SQ)
        {
            pos = valuePos;
            var sequence = ReadSequence(ref pos, valueEnd, tag, undefinedLength: false, explicitVR, depth);
            pos = valueEnd;
            return sequence;
        }

        int unit = vr.UnitSize();
        if (unit > 1 && length % (uint)unit != 0)
        {
            throw Error(start, tag, $"value length {length} is not a multiple of {unit} for VR {vr}");
        }

        ReadOnlyMemory<byte> value = _buffer.Slice(valuePos, (int)length);
        if (_bigEndian && unit > 1 && length > 0)
        {
            value = SwapToLittleEndian(value.Span, unit);
        }

        pos = valueEnd;
        return new DicomElement(tag, vr, value);
    }

    private DicomSequence ReadSequence(ref int pos, int end, DicomTag tag, bool undefinedLength, bool explicitVR, int depth)
    {
        if (depth >= _options.MaxSequenceDepth)
        {
            throw Error(pos, tag, $"sequences nested deeper than {_options.MaxSequenceDepth} levels");
        }

        var span = _buffer.Span;
        var items = new List<DicomDataset>();
        while (true)
        {
            if (!undefinedLength && pos >= end)
            {
                break;
            }

            if (end - pos < 8)
            {
                throw Error(pos, tag, undefinedLength
                    ? "sequence of undefined length has no sequence delimiter (truncated file?)"
                    : $"item header needs 8 bytes but only {end - pos} remain");
            }

            var itemTag = ReadTag(span, pos, explicitVR);
            uint itemLength = ReadUInt32(span, pos + 4);
            if (itemTag == DicomTag.SequenceDelimitation)
            {
                if (!undefinedLength)
                {
                    throw Error(pos, tag, "sequence delimiter in a sequence of defined length");
                }

                pos += 8;
                break;
            }

            if (itemTag != DicomTag.Item)
            {
                throw Error(pos, tag, $"expected an item tag (FFFE,E000) in the sequence but found {itemTag}");
            }

            pos += 8;
            var item = new DicomDataset(_source);
            if (itemLength == UndefinedLength)
            {
                ParseDataset(ref pos, end, item, explicitVR, depth + 1, undefinedLengthItem: true, topLevel: false);
            }
            else
            {
                if (itemLength > (uint)(end - pos))
                {
                    throw Error(pos - 8, tag, $"item length {itemLength} runs past the end of the sequence ({end - pos} bytes remain)");
                }

                int itemEnd = pos + (int)itemLength;
                ParseDataset(ref pos, itemEnd, item, explicitVR, depth + 1, undefinedLengthItem: false, topLevel: false);
                pos = itemEnd;
            }

            items.Add(item);
        }

        return new DicomSequence(tag, items);
    }

    private DicomFragments ReadFragments(ref int pos, int end, DicomTag tag, DicomVR vr, int elementStart)
    {
        var span = _buffer.Span;
        uint[] offsetTable = [];
        var fragments = new List<DicomFragment>();
        bool first = true;
        int firstFragmentPos = -1;
        while (true)
        {
            if (end - pos < 8)
            {
                throw Error(pos, tag, "encapsulated pixel data has no sequence delimiter (truncated file?)");
            }

            var itemTag = ReadTag(span, pos, explicitVR: false);
            uint length = ReadUInt32(span, pos + 4);
            if (itemTag == DicomTag.SequenceDelimitation)
            {
                pos += 8;
                break;
            }

            if (itemTag != DicomTag.Item)
            {
                throw Error(pos, tag, $"expected a fragment item (FFFE,E000) but found {itemTag}");
            }

            if (length == UndefinedLength || length > (uint)(end - pos - 8))
            {
                throw Error(pos, tag, $"fragment length {(length == UndefinedLength ? "undefined" : length.ToString(System.Globalization.CultureInfo.InvariantCulture))} runs past the end of the data ({end - pos - 8} bytes remain)");
            }

            int valuePos = pos + 8;
            if (first)
            {
                if (length % 4 != 0)
                {
                    throw Error(pos, tag, $"basic offset table length {length} is not a multiple of 4");
                }

                offsetTable = new uint[length / 4];
                for (int i = 0; i < offsetTable.Length; i++)
                {
                    offsetTable[i] = ReadUInt32(span, valuePos + (i * 4));
                }

                first = false;
            }
            else
            {
                if (firstFragmentPos < 0)
                {
                    firstFragmentPos = pos;
                }

                fragments.Add(new DicomFragment(pos - firstFragmentPos, _buffer.Slice(valuePos, (int)length)));
            }

            pos = valuePos + (int)length;
        }

        if (first)
        {
            throw Error(elementStart, tag, "encapsulated pixel data has no basic offset table item");
        }

        return new DicomFragments(tag, vr, offsetTable, fragments);
    }

    private DicomTag ReadTag(ReadOnlySpan<byte> span, int pos, bool explicitVR)
    {
        _ = explicitVR;
        return _bigEndian
            ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(span[pos..]), BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]))
            : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(span[pos..]), BinaryPrimitives.ReadUInt16LittleEndian(span[(pos + 2)..]));
    }

    private uint ReadUInt32(ReadOnlySpan<byte> span, int pos) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[pos..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[pos..]);

    private ushort ReadUInt16(ReadOnlySpan<byte> span, int pos) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span[pos..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[pos..]);

    private static byte[] SwapToLittleEndian(ReadOnlySpan<byte> value, int unit)
    {
        var copy = value.ToArray();
        for (int i = 0; i + unit <= copy.Length; i += unit)
        {
            copy.AsSpan(i, unit).Reverse();
        }

        return copy;
    }

    private DicomParseException Error(int pos, DicomTag? tag, string problem) => new(_source, _base + pos, tag, problem);
}
