using System.Globalization;
using System.Text.Json;

namespace Headsup.Service.DicomWeb;

/// <summary>
/// Writes the DICOM JSON model (PS3.18 F.2): an object per data set, keys are 8-digit upper-case tags, each with "vr"
/// and "Value" (person names as {"Alphabetic": …}, sequences as arrays of objects). Empty values are written without
/// "Value".
/// </summary>
public sealed class DicomJsonWriter(Utf8JsonWriter writer)
{
    /// <summary>Writes a string-valued attribute (split on '\' for multi-valued VRs).</summary>
    public void String(string tag, string vr, string? value)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", vr);
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteStartArray("Value");
            foreach (var v in vr is "LT" or "ST" or "UT" or "UR" ? [value] : value.Split('\\'))
            {
                if (vr == "PN")
                {
                    writer.WriteStartObject();
                    writer.WriteString("Alphabetic", v);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStringValue(v);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes an integer attribute (IS, US, UL, SL …).</summary>
    public void Integer(string tag, string vr, long? value)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", vr);
        if (value is { } v)
        {
            writer.WriteStartArray("Value");
            writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a decimal attribute (DS, FD).</summary>
    public void Decimal(string tag, string vr, double? value)
    {
        writer.WriteStartObject(tag);
        writer.WriteString("vr", vr);
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteStartArray("Value");
            writer.WriteNumberValue(Math.Round(v, 6));
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a sequence whose items are written by <paramref name="items"/>.</summary>
    public void Sequence<T>(string tag, IEnumerable<T> values, Action<DicomJsonWriter, T> item)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(item);
        writer.WriteStartObject(tag);
        writer.WriteString("vr", "SQ");
        writer.WriteStartArray("Value");
        foreach (var value in values)
        {
            writer.WriteStartObject();
            item(this, value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A tag in the DICOM JSON key form.</summary>
    public static string Key(ushort group, ushort element) => string.Create(CultureInfo.InvariantCulture, $"{group:X4}{element:X4}");
}
