using System.Text;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>A top-level attribute as a reader saw it: its text (strings), hex (binary values) or item count (sequences).</summary>
/// <param name="Value">Text values joined with backslash, or the bytes in hex; empty for a zero-length value.</param>
/// <param name="Items">The number of items for a sequence; null otherwise.</param>
public sealed record DumpedAttribute(string Value, int? Items)
{
    /// <summary>True for a zero-length value or a sequence without items.</summary>
    public bool IsEmpty => Items is { } n ? n == 0 : Value.Length == 0;
}

/// <summary>Reads the top-level attributes of a file with this project's reader or, independently, with pydicom.</summary>
public static class DatasetDump
{
    /// <summary>The attributes as <see cref="DicomFileReader"/> reads them.</summary>
    public static Dictionary<DicomTag, DumpedAttribute> WithOwnReader(string path)
    {
        var ds = DicomFileReader.Open(path).Dataset;
        var result = new Dictionary<DicomTag, DumpedAttribute>();
        foreach (var item in ds.Items)
        {
            result[item.Tag] = item switch
            {
                DicomSequence s => new DumpedAttribute(string.Empty, s.Items.Count),
                DicomElement e when e.VR.IsString() => new DumpedAttribute(Encoding.Latin1.GetString(e.Value.Span).Trim('\0', ' '), null),
                DicomElement e => new DumpedAttribute(Convert.ToHexString(e.Value.Span), null),
                DicomFragments f => new DumpedAttribute(string.Concat(f.Fragments.Select(x => Convert.ToHexString(x.Data.Span))), null),
                _ => throw new InvalidOperationException(item.GetType().Name),
            };
        }

        return result;
    }

    /// <summary>The attributes as pydicom reads them (Debian's python3-pydicom), for several files at once.</summary>
    public static Dictionary<string, Dictionary<DicomTag, DumpedAttribute>> WithPydicom(IReadOnlyList<string> paths)
    {
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        const string Script = """
            import json, sys, pydicom
            from pydicom.multival import MultiValue
            out = {}
            for path in sys.argv[1:]:
                ds = pydicom.dcmread(path)
                attrs = {}
                for elem in ds:
                    key = "%08X" % int(elem.tag)
                    if elem.VR == "SQ":
                        attrs[key] = {"value": "", "items": len(elem.value)}
                    elif isinstance(elem.value, (bytes, bytearray)):
                        attrs[key] = {"value": bytes(elem.value).hex().upper(), "items": None}
                    elif elem.value is None:
                        attrs[key] = {"value": "", "items": None}
                    elif isinstance(elem.value, MultiValue):
                        attrs[key] = {"value": "\\".join(str(v) for v in elem.value), "items": None}
                    else:
                        attrs[key] = {"value": str(elem.value), "items": None}
                out[path] = attrs
            print(json.dumps(out))
            """;
        var (exit, stdout, stderr) = ExternalTool.Run(python, ["-c", Script, .. paths]);
        Assert.True(exit == 0, "pydicom failed: " + stderr);
        using var json = JsonDocument.Parse(stdout);
        var result = new Dictionary<string, Dictionary<DicomTag, DumpedAttribute>>();
        foreach (var file in json.RootElement.EnumerateObject())
        {
            var attrs = new Dictionary<DicomTag, DumpedAttribute>();
            foreach (var a in file.Value.EnumerateObject())
            {
                uint tag = Convert.ToUInt32(a.Name, 16);
                var items = a.Value.GetProperty("items");
                attrs[new DicomTag((ushort)(tag >> 16), (ushort)tag)] = new DumpedAttribute(
                    a.Value.GetProperty("value").GetString()!.Trim('\0', ' '),
                    items.ValueKind == JsonValueKind.Null ? null : items.GetInt32());
            }

            result[file.Name] = attrs;
        }

        return result;
    }
}
