using Headsup.Dicom;

namespace Headsup.Deidentification.Profile;

/// <summary>
/// A tag, or a repeating-group pattern such as (60xx,3000), as Table E.1-1 writes it: each hex digit written as x
/// matches any digit.
/// </summary>
/// <param name="Group">The group with wildcard digits set to 0.</param>
/// <param name="GroupMask">1-bits where the group's digits are fixed.</param>
/// <param name="Element">The element with wildcard digits set to 0.</param>
/// <param name="ElementMask">1-bits where the element's digits are fixed.</param>
public readonly record struct TagPattern(ushort Group, ushort GroupMask, ushort Element, ushort ElementMask)
{
    /// <summary>True when every digit is fixed.</summary>
    public bool IsExact => GroupMask == 0xFFFF && ElementMask == 0xFFFF;

    /// <summary>The tag, for an exact pattern.</summary>
    public DicomTag Tag => new(Group, Element);

    /// <summary>True when <paramref name="tag"/> matches.</summary>
    public bool Matches(DicomTag tag) => (tag.Group & GroupMask) == Group && (tag.Element & ElementMask) == Element;

    /// <summary>Parses "(gggg,eeee)" with x for any digit.</summary>
    public static bool TryParse(string text, out TagPattern pattern)
    {
        pattern = default;
        var t = (text ?? string.Empty).Trim();
        if (t.Length != 11 || t[0] != '(' || t[5] != ',' || t[10] != ')')
        {
            return false;
        }

        if (!TryParseHalf(t.AsSpan(1, 4), out var group, out var groupMask) || !TryParseHalf(t.AsSpan(6, 4), out var element, out var elementMask))
        {
            return false;
        }

        pattern = new TagPattern(group, groupMask, element, elementMask);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"({Format(Group, GroupMask)},{Format(Element, ElementMask)})";

    private static bool TryParseHalf(ReadOnlySpan<char> digits, out ushort value, out ushort mask)
    {
        value = 0;
        mask = 0;
        foreach (var c in digits)
        {
            value <<= 4;
            mask <<= 4;
            if (c is 'x' or 'X')
            {
                continue;
            }

            int digit = HexDigit(c);
            if (digit < 0)
            {
                return false;
            }

            value |= (ushort)digit;
            mask |= 0xF;
        }

        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static string Format(ushort value, ushort mask)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            int shift = 12 - (4 * i);
            chars[i] = ((mask >> shift) & 0xF) == 0 ? 'x' : "0123456789ABCDEF"[(value >> shift) & 0xF];
        }

        return new string(chars);
    }
}

/// <summary>One row of Table E.1-1 as this library applies it.</summary>
/// <param name="Pattern">The tag or tag pattern.</param>
/// <param name="Action">The Basic Profile action.</param>
/// <param name="ModifiedDates">
/// True when the Retain Longitudinal Temporal Information With Modified Dates Option cleans the attribute (C): with
/// <see cref="DeidentificationOptions.ShiftDates"/>, its dates are shifted by the patient's offset and other values
/// (times, time zone) are kept.
/// </param>
/// <param name="Name">The attribute name as the table writes it.</param>
public sealed record ProfileRule(TagPattern Pattern, ProfileAction Action, bool ModifiedDates, string Name);
