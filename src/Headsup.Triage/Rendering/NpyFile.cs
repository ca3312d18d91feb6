using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Headsup.Dicom.Writing;

namespace Headsup.Triage.Rendering;

/// <summary>Writes and reads NumPy .npy files (format 1.0) holding a little-endian float32 array.</summary>
public static class NpyFile
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a rows × columns float32 array (C order), atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        if (rows < 1 || columns < 1 || values.Length != rows * columns)
        {
            throw new ArgumentException($"{values.Length} values do not make a {rows}×{columns} array", nameof(values));
        }

        var header = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        int total = s_magic.Length + 2 + 2 + header.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        header = header + new string(' ', padding) + "\n";
        var bytes = new byte[s_magic.Length + 4 + header.Length + (values.Length * 4)];
        s_magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        var data = bytes.AsSpan(10 + header.Length);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data[(i * 4)..], values[i]);
        }

        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads a 2-D little-endian float32 C-order array written by <see cref="Write"/> or NumPy.</summary>
    /// <exception cref="InvalidDataException">The file is not such an array.</exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(s_magic) || bytes[6] != 1)
        {
            throw new InvalidDataException($"{path}: not a version 1 .npy file");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        if (10 + length > bytes.Length)
        {
            throw new InvalidDataException($"{path}: truncated header");
        }

        var header = Encoding.ASCII.GetString(bytes, 10, length);
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal) || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a C-order little-endian float32 array ({header.Trim()})");
        }

        int open = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        int close = header.IndexOf(')', open);
        var dims = header[open..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2 || (long)dims[0] * dims[1] * 4 != bytes.Length - 10 - length)
        {
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", dims)}) does not match the data");
        }

        var values = new float[dims[0] * dims[1]];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(10 + length + (i * 4)));
        }

        return (values, dims[0], dims[1]);
    }
}
