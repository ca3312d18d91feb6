using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Headsup.Testing;

/// <summary>Reads little-endian C-order .npy files (float32, uint8, int16) written by numpy or by our writer.</summary>
public sealed partial class NpyFile
{
    private NpyFile(string descr, int[] shape, byte[] data)
    {
        Descr = descr;
        Shape = shape;
        Data = data;
    }

    /// <summary>numpy dtype descriptor, e.g. "&lt;f4".</summary>
    public string Descr { get; }

    /// <summary>Array shape.</summary>
    public int[] Shape { get; }

    /// <summary>Raw data bytes.</summary>
    public byte[] Data { get; }

    /// <summary>The data as float32.</summary>
    public float[] AsFloats() => Descr == "<f4" ? MemoryMarshal.Cast<byte, float>(Data).ToArray() : throw new InvalidOperationException(Descr);

    /// <summary>Reads a file.</summary>
    public static NpyFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path}: not an npy file");
        }

        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: fortran order");
        }

        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new NpyFile(descr, shape, bytes[(headerStart + headerLength)..]);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
