using System.Globalization;

namespace Headsup.Dicom;

/// <summary>A DICOM attribute tag (group, element). Values come from <see cref="DicomTags"/>.</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>Item (FFFE,E000).</summary>
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);

    /// <summary>Item Delimitation Item (FFFE,E00D).</summary>
    public static readonly DicomTag ItemDelimitation = new(0xFFFE, 0xE00D);

    /// <summary>Sequence Delimitation Item (FFFE,E0DD).</summary>
    public static readonly DicomTag SequenceDelimitation = new(0xFFFE, 0xE0DD);

    /// <summary>The tag as one 32-bit number, group in the high half.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>True for odd (private) groups.</summary>
    public bool IsPrivate => (Group & 1) == 1;

    /// <inheritdoc />
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Orders tags as the standard does (group, then element).</summary>
    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    /// <summary>Orders tags as the standard does (group, then element).</summary>
    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    /// <summary>Orders tags as the standard does (group, then element).</summary>
    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    /// <summary>Orders tags as the standard does (group, then element).</summary>
    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    /// <summary>Formats as (GGGG,EEEE).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");
}
