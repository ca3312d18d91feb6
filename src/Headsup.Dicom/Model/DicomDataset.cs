using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Headsup.Dicom;

/// <summary>
/// A DICOM data set: items ordered by tag, with typed reads. Values are stored as little-endian bytes.
/// </summary>
public sealed class DicomDataset
{
    private readonly List<DicomItem> _items = [];

    /// <summary>Creates an empty data set.</summary>
    public DicomDataset(string sourceName = "<memory>")
    {
        SourceName = sourceName;
    }

    /// <summary>Where the data set came from, for error messages.</summary>
    public string SourceName { get; }

    /// <summary>Number of top-level items.</summary>
    public int Count => _items.Count;

    /// <summary>The items in tag order.</summary>
    public IReadOnlyList<DicomItem> Items => _items;

    /// <summary>Adds or replaces an item, keeping tag order.</summary>
    public DicomDataset Add(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            _items.Add(item);
            return this;
        }

        int index = IndexOf(item.Tag);
        if (index >= 0)
        {
            _items[index] = item;
        }
        else
        {
            _items.Insert(~index, item);
        }

        return this;
    }

    /// <summary>Adds a text value; the VR comes from the dictionary unless given.</summary>
    public DicomDataset AddString(DicomTag tag, string value, DicomVR? vr = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var actualVr = vr ?? DicomDictionary.ImplicitVR(tag);
        var bytes = (actualVr == DicomVR.UI ? Encoding.ASCII : Encoding.UTF8).GetBytes(value);
        if ((bytes.Length & 1) == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = actualVr.PaddingByte();
        }

        return Add(new DicomElement(tag, actualVr, bytes));
    }

    /// <summary>Adds several text values joined with backslash.</summary>
    public DicomDataset AddStrings(DicomTag tag, params string[] values) => AddString(tag, string.Join('\\', values));

    /// <summary>Adds decimal strings (DS) written with invariant culture.</summary>
    public DicomDataset AddDecimalStrings(DicomTag tag, params double[] values) =>
        AddString(tag, string.Join('\\', values.Select(v => FormatDecimalString(v))), DicomVR.DS);

    /// <summary>Adds an unsigned short (US).</summary>
    public DicomDataset AddUInt16(DicomTag tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        return Add(new DicomElement(tag, DicomVR.US, bytes));
    }

    /// <summary>Adds an unsigned long (UL).</summary>
    public DicomDataset AddUInt32(DicomTag tag, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Add(new DicomElement(tag, DicomVR.UL, bytes));
    }

    /// <summary>Adds raw bytes with an explicit VR (OB, OW, UN ...). The bytes are not copied.</summary>
    public DicomDataset AddBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value) => Add(new DicomElement(tag, vr, value));

    /// <summary>Adds a sequence.</summary>
    public DicomDataset AddSequence(DicomTag tag, params DicomDataset[] items) => Add(new DicomSequence(tag, items));

    /// <summary>Removes an item if present.</summary>
    public bool Remove(DicomTag tag)
    {
        int index = IndexOf(tag);
        if (index < 0)
        {
            return false;
        }

        _items.RemoveAt(index);
        return true;
    }

    /// <summary>True when the tag is present (even with an empty value).</summary>
    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    /// <summary>Finds an item.</summary>
    public bool TryGetItem(DicomTag tag, out DicomItem item)
    {
        int index = IndexOf(tag);
        if (index >= 0)
        {
            item = _items[index];
            return true;
        }

        item = null!;
        return false;
    }

    /// <summary>Finds a plain element.</summary>
    public bool TryGetElement(DicomTag tag, out DicomElement element)
    {
        if (TryGetItem(tag, out var item) && item is DicomElement e)
        {
            element = e;
            return true;
        }

        element = null!;
        return false;
    }

    /// <summary>Finds a sequence.</summary>
    public bool TryGetSequence(DicomTag tag, out DicomSequence sequence)
    {
        if (TryGetItem(tag, out var item) && item is DicomSequence s)
        {
            sequence = s;
            return true;
        }

        sequence = null!;
        return false;
    }

    /// <summary>Reads the whole text value, trimmed of padding; false when absent or empty.</summary>
    public bool TryGetString(DicomTag tag, out string value)
    {
        if (TryGetElement(tag, out var element) && element.Value.Length > 0)
        {
            value = DecodeText(element).Trim(' ', '\0');
            return value.Length > 0;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Reads the text value or returns the fallback.</summary>
    public string GetStringOrDefault(DicomTag tag, string fallback = "") => TryGetString(tag, out var v) ? v : fallback;

    /// <summary>Reads the text value; throws <see cref="DicomAttributeException"/> when absent.</summary>
    public string GetString(DicomTag tag) =>
        TryGetString(tag, out var v) ? v : throw new DicomAttributeException(SourceName, tag, "required attribute is missing or empty");

    /// <summary>Reads a multi-valued text attribute, splitting on backslash; empty when absent.</summary>
    public string[] GetStrings(DicomTag tag)
    {
        if (!TryGetElement(tag, out var element) || element.Value.Length == 0)
        {
            return [];
        }

        var text = DecodeText(element);
        return element.VR.IsMultiValuedString()
            ? text.Split('\\').Select(s => s.Trim(' ', '\0')).ToArray()
            : [text.TrimEnd(' ', '\0')];
    }

    /// <summary>Reads the first value of an integer attribute (US, SS, UL, SL, IS, or a DS holding an integer).</summary>
    public bool TryGetInt32(DicomTag tag, out int value)
    {
        value = 0;
        if (!TryGetElement(tag, out var element) || element.Value.Length == 0)
        {
            return false;
        }

        var span = element.Value.Span;
        switch (element.VR)
        {
            case DicomVR.US when span.Length >= 2:
                value = BinaryPrimitives.ReadUInt16LittleEndian(span);
                return true;
            case DicomVR.SS when span.Length >= 2:
                value = BinaryPrimitives.ReadInt16LittleEndian(span);
                return true;
            case DicomVR.UL when span.Length >= 4:
                uint u = BinaryPrimitives.ReadUInt32LittleEndian(span);
                if (u > int.MaxValue)
                {
                    return false;
                }

                value = (int)u;
                return true;
            case DicomVR.SL when span.Length >= 4:
                value = BinaryPrimitives.ReadInt32LittleEndian(span);
                return true;
            case DicomVR.IS or DicomVR.DS:
                var first = GetStrings(tag).FirstOrDefault();
                if (first is not null && decimal.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) &&
                    d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue)
                {
                    value = (int)d;
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Reads an integer attribute; throws <see cref="DicomAttributeException"/> when absent or malformed.</summary>
    public int GetInt32(DicomTag tag) =>
        TryGetInt32(tag, out var v) ? v : throw new DicomAttributeException(SourceName, tag, "required integer attribute is missing or malformed");

    /// <summary>Reads the first value of a decimal string (DS, IS) or float (FL, FD) as a decimal.</summary>
    public bool TryGetDecimal(DicomTag tag, out decimal value)
    {
        value = 0;
        if (!TryGetElement(tag, out var element) || element.Value.Length == 0)
        {
            return false;
        }

        switch (element.VR)
        {
            case DicomVR.FL:
                return TryToDecimal(BinaryPrimitives.ReadSingleLittleEndian(element.Value.Span), out value);
            case DicomVR.FD:
                return TryToDecimal(BinaryPrimitives.ReadDoubleLittleEndian(element.Value.Span), out value);
            default:
                var first = GetStrings(tag).FirstOrDefault();
                return first is not null && decimal.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>A binary float as a decimal; false for NaN, infinities and values beyond decimal's range (the cast would throw).</summary>
    private static bool TryToDecimal(double number, out decimal value)
    {
        const double DecimalLimit = 7.9e28;
        if (!double.IsFinite(number) || Math.Abs(number) >= DecimalLimit)
        {
            value = 0;
            return false;
        }

        value = (decimal)number;
        return true;
    }

    /// <summary>Reads all values of a DS/IS/FL/FD attribute as doubles; false when absent or any value is malformed or not finite.</summary>
    public bool TryGetDoubles(DicomTag tag, out double[] values)
    {
        values = [];
        if (!TryGetElement(tag, out var element) || element.Value.Length == 0)
        {
            return false;
        }

        var span = element.Value.Span;
        switch (element.VR)
        {
            case DicomVR.FL:
                values = new double[span.Length / 4];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]);
                }

                return values.All(double.IsFinite) || Reject(out values);
            case DicomVR.FD:
                values = new double[span.Length / 8];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]);
                }

                return values.All(double.IsFinite) || Reject(out values);
            default:
                var parts = GetStrings(tag);
                var result = new double[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                    {
                        return false;
                    }
                }

                values = result;
                return true;
        }
    }

    private static bool Reject(out double[] values)
    {
        values = [];
        return false;
    }

    /// <summary>Reads the first item of a sequence, if any.</summary>
    public bool TryGetFirstItem(DicomTag sequenceTag, out DicomDataset item)
    {
        if (TryGetSequence(sequenceTag, out var seq) && seq.Items.Count > 0)
        {
            item = seq.Items[0];
            return true;
        }

        item = null!;
        return false;
    }

    /// <summary>Writes a number the way a DS value must be written (at most 16 characters).</summary>
    public static string FormatDecimalString(double value)
    {
        for (int digits = 15; digits > 0; digits--)
        {
            var text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (text.Length <= 16)
            {
                return text;
            }
        }

        return "0";
    }

    private string DecodeText(DicomElement element)
    {
        var span = element.Value.Span;
        if (element.VR is DicomVR.UI or DicomVR.AE or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.TM or DicomVR.AS)
        {
            return Encoding.ASCII.GetString(span);
        }

        return CharacterSet.GetString(span);
    }

    /// <summary>The text encoding from Specific Character Set (0008,0005): UTF-8 for ISO_IR 192, else Latin-1.</summary>
    public Encoding CharacterSet =>
        TryGetElement(DicomTags.SpecificCharacterSet, out var cs) && Encoding.ASCII.GetString(cs.Value.Span).Contains("ISO_IR 192", StringComparison.Ordinal)
            ? Encoding.UTF8
            : Encoding.Latin1;

    private int IndexOf(DicomTag tag)
    {
        int lo = 0;
        int hi = _items.Count - 1;
        uint key = tag.Value;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint v = _items[mid].Tag.Value;
            if (v == key)
            {
                return mid;
            }

            if (v < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
