using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Headsup.Dicom;

namespace Headsup.Service.DicomWeb;

/// <summary>
/// A whole data set in the DICOM JSON model (PS3.18 F.2), for WADO-RS metadata: strings split into values, person
/// names as {"Alphabetic", "Ideographic", "Phonetic"}, IS/DS and binary numbers as JSON numbers, AT as tag strings,
/// sequences as nested objects, small binary values inline (base64) and bulk data (pixel data, large binary values)
/// as a BulkDataURI. Group 0002 (file meta) is not part of metadata.
/// </summary>
public static class DicomJsonDataset
{
    /// <summary>Binary values up to this many bytes are written inline; larger ones as BulkDataURI.</summary>
    public const int InlineBinaryLimit = 1024;

    /// <summary>Writes <paramref name="dataset"/> as one JSON object; <paramref name="bulkDataUri"/> names where a bulk value lives.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, string bulkDataUri)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        writer.WriteStartObject();
        foreach (var item in dataset.Items.OrderBy(i => i.Tag.Value))
        {
            if (item.Tag.Group == 0x0002)
            {
                continue;
            }

            writer.WriteStartObject(DicomJsonWriter.Key(item.Tag.Group, item.Tag.Element));
            writer.WriteString("vr", item.VR.ToString());
            switch (item)
            {
                case DicomSequence sequence:
                    writer.WriteStartArray("Value");
                    foreach (var nested in sequence.Items)
                    {
                        Write(writer, nested, bulkDataUri);
                    }

                    writer.WriteEndArray();
                    break;
                case DicomFragments:
                    writer.WriteString("BulkDataURI", bulkDataUri);
                    break;
                case DicomElement element when element.Value.Length > 0:
                    WriteValue(writer, dataset, element, bulkDataUri);
                    break;
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DicomDataset dataset, DicomElement element, string bulkDataUri)
    {
        var vr = element.VR;
        var span = element.Value.Span;
        switch (vr)
        {
            case DicomVR.PN:
                writer.WriteStartArray("Value");
                foreach (var name in dataset.GetStrings(element.Tag))
                {
                    writer.WriteStartObject();
                    var groups = name.Split('=');
                    string[] keys = ["Alphabetic", "Ideographic", "Phonetic"];
                    for (int g = 0; g < Math.Min(groups.Length, 3); g++)
                    {
                        if (groups[g].Length > 0)
                        {
                            writer.WriteString(keys[g], groups[g]);
                        }
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                return;
            case DicomVR.IS or DicomVR.DS:
                writer.WriteStartArray("Value");
                foreach (var text in dataset.GetStrings(element.Tag))
                {
                    if (text.Length == 0)
                    {
                        writer.WriteNullValue();
                    }
                    else if (vr == DicomVR.IS && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
                    {
                        writer.WriteNumberValue(l);
                    }
                    else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                    {
                        writer.WriteNumberValue(d);
                    }
                    else
                    {
                        writer.WriteStringValue(text);
                    }
                }

                writer.WriteEndArray();
                return;
            case DicomVR.AT:
                writer.WriteStartArray("Value");
                for (int i = 0; i + 4 <= span.Length; i += 4)
                {
                    writer.WriteStringValue(DicomJsonWriter.Key(BinaryPrimitives.ReadUInt16LittleEndian(span[i..]), BinaryPrimitives.ReadUInt16LittleEndian(span[(i + 2)..])));
                }

                writer.WriteEndArray();
                return;
            case DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.FD or DicomVR.UV or DicomVR.SV:
                writer.WriteStartArray("Value");
                int size = vr.UnitSize();
                for (int i = 0; i + size <= span.Length; i += size)
                {
                    var v = span[i..];
                    switch (vr)
                    {
                        case DicomVR.US: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(v)); break;
                        case DicomVR.SS: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(v)); break;
                        case DicomVR.UL: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(v)); break;
                        case DicomVR.SL: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(v)); break;
                        case DicomVR.UV: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(v)); break;
                        case DicomVR.SV: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(v)); break;
                        case DicomVR.FL:
                            var f = BinaryPrimitives.ReadSingleLittleEndian(v);
                            if (float.IsFinite(f)) { writer.WriteNumberValue(f); } else { writer.WriteNullValue(); }
                            break;
                        default:
                            var d = BinaryPrimitives.ReadDoubleLittleEndian(v);
                            if (double.IsFinite(d)) { writer.WriteNumberValue(d); } else { writer.WriteNullValue(); }
                            break;
                    }
                }

                writer.WriteEndArray();
                return;
            case DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN:
                if (span.Length <= InlineBinaryLimit && element.Tag != DicomTags.PixelData)
                {
                    writer.WriteString("InlineBinary", Convert.ToBase64String(span));
                }
                else
                {
                    writer.WriteString("BulkDataURI", bulkDataUri);
                }

                return;
            default:
                writer.WriteStartArray("Value");
                foreach (var text in dataset.GetStrings(element.Tag))
                {
                    if (text.Length == 0)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        writer.WriteStringValue(text);
                    }
                }

                writer.WriteEndArray();
                return;
        }
    }
}
