using System.Buffers.Binary;
using System.IO.Compression;

namespace Headsup.Phantom.Tests;

/// <summary>Decodes the 8-bit gray PNGs the phantom writes (one or more IDAT chunks, filter type 0 on every row).</summary>
internal static class PngTestReader
{
    public static (int Width, int Height, byte[] Pixels) ReadGray(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int offset = 8, width = 0, height = 0;
        using var idat = new MemoryStream();
        while (offset < bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(0, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        var pixels = new byte[width * height];
        for (int r = 0; r < height; r++)
        {
            Assert.Equal(0, rows[r * (width + 1)]);
            Array.Copy(rows, (r * (width + 1)) + 1, pixels, r * width, width);
        }

        return (width, height, pixels);
    }
}
