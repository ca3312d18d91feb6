using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Headsup.Imaging.Export;

/// <summary>Writes 8-bit grayscale or RGB PNG images (PNG 1.2: IHDR, one IDAT, IEND; filter type 0 per row).</summary>
public static class PngWriter
{
    /// <summary>Writes an 8-bit image; <paramref name="channels"/> is 1 (gray) or 3 (RGB, interleaved).</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> pixels, int width, int height, int channels, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 or 3 channels");
        }

        if (width <= 0 || height <= 0 || (long)width * height * channels != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}×{height}×{channels} image", nameof(pixels));
        }

        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;
        ihdr[9] = channels == 1 ? (byte)0 : (byte)2;
        ihdr[10] = 0;
        ihdr[11] = 0;
        ihdr[12] = 0;
        WriteChunk(stream, "IHDR"u8, ihdr);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, level, leaveOpen: true))
        {
            int stride = width * channels;
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }

        WriteChunk(stream, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(stream, "IEND"u8, []);
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        stream.Write(type);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        stream.Write(word);
    }
}
