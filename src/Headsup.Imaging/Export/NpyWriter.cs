using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Headsup.Imaging.Export;

/// <summary>Writes NumPy .npy files (format 1.0, little-endian, C order) that numpy.load reads.</summary>
public static class NpyWriter
{
    /// <summary>Writes float32 data with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, params int[] shape) =>
        WriteRaw(stream, MemoryMarshal.AsBytes(data), "<f4", data.Length, shape);

    /// <summary>Writes uint8 data with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data, params int[] shape) =>
        WriteRaw(stream, data, "|u1", data.Length, shape);

    /// <summary>Writes int16 data with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<short> data, params int[] shape) =>
        WriteRaw(stream, MemoryMarshal.AsBytes(data), "<i2", data.Length, shape);

    private static void WriteRaw(Stream stream, ReadOnlySpan<byte> bytes, string descr, int count, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long expected = 1;
        foreach (var d in shape)
        {
            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {expected} values but {count} were given", nameof(shape));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        string shapeText = shape.Length == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        header = header + new string(' ', padding) + "\n";
        Span<byte> preamble = stackalloc byte[10];
        preamble[0] = 0x93;
        "NUMPY"u8.CopyTo(preamble[1..]);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(bytes);
    }
}
