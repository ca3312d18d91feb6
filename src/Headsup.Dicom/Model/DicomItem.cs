namespace Headsup.Dicom;

/// <summary>One entry of a data set: a plain element, a sequence, or encapsulated pixel data.</summary>
public abstract class DicomItem
{
    /// <summary>Creates the item.</summary>
    protected DicomItem(DicomTag tag, DicomVR vr)
    {
        Tag = tag;
        VR = vr;
    }

    /// <summary>The attribute tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>The value representation.</summary>
    public DicomVR VR { get; }
}

/// <summary>An element with a value held as little-endian bytes (big-endian input is swapped when read).</summary>
public sealed class DicomElement : DicomItem
{
    /// <summary>Creates the element.</summary>
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
        : base(tag, vr)
    {
        Value = value;
    }

    /// <summary>The raw value bytes, little-endian, padding included.</summary>
    public ReadOnlyMemory<byte> Value { get; }
}

/// <summary>A sequence of nested data sets (VR SQ).</summary>
public sealed class DicomSequence : DicomItem
{
    /// <summary>Creates the sequence.</summary>
    public DicomSequence(DicomTag tag, IReadOnlyList<DicomDataset> items)
        : base(tag, DicomVR.SQ)
    {
        Items = items;
    }

    /// <summary>The items.</summary>
    public IReadOnlyList<DicomDataset> Items { get; }
}

/// <summary>Encapsulated (compressed) pixel data: the basic offset table and the fragments (PS3.5 A.4).</summary>
public sealed class DicomFragments : DicomItem
{
    /// <summary>Creates the fragment sequence.</summary>
    public DicomFragments(DicomTag tag, DicomVR vr, IReadOnlyList<uint> basicOffsetTable, IReadOnlyList<DicomFragment> fragments)
        : base(tag, vr)
    {
        BasicOffsetTable = basicOffsetTable;
        Fragments = fragments;
    }

    /// <summary>Byte offsets of each frame's first fragment, relative to the first fragment's item tag; may be empty.</summary>
    public IReadOnlyList<uint> BasicOffsetTable { get; }

    /// <summary>The fragments in order.</summary>
    public IReadOnlyList<DicomFragment> Fragments { get; }
}

/// <summary>One fragment of encapsulated pixel data with its position relative to the first fragment's item tag.</summary>
public readonly record struct DicomFragment(long RelativeOffset, ReadOnlyMemory<byte> Data);
