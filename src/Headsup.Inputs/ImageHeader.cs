using System.Buffers.Binary;

namespace Headsup.Inputs;

/// <summary>Reads the pixel size of a PNG (IHDR) or JPEG (SOFn marker) from its header, without decoding.</summary>
internal static class ImageHeader
{
    /// <summary>Width and height, or null when the header cannot be read.</summary>
    public static (int Width, int Height)? TryReadSize(Stream stream, ImageFormat format)
    {
        Span<byte> buffer = stackalloc byte[24];
        stream.Position = 0;
        if (format == ImageFormat.Png)
        {
            if (stream.ReadAtLeast(buffer, 24, throwOnEndOfStream: false) < 24 || !buffer.Slice(12, 4).SequenceEqual("IHDR"u8))
            {
                return null;
            }

            return (BinaryPrimitives.ReadInt32BigEndian(buffer[16..]), BinaryPrimitives.ReadInt32BigEndian(buffer[20..]));
        }

        // JPEG: walk the marker segments after SOI until a start-of-frame.
        stream.Position = 2;
        while (true)
        {
            int b = stream.ReadByte();
            while (b == 0xFF)
            {
                b = stream.ReadByte();
            }

            if (b < 0)
            {
                return null;
            }

            int marker = b;
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (stream.ReadAtLeast(buffer[..2], 2, throwOnEndOfStream: false) < 2)
            {
                return null;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                if (stream.ReadAtLeast(buffer[..5], 5, throwOnEndOfStream: false) < 5)
                {
                    return null;
                }

                return (BinaryPrimitives.ReadUInt16BigEndian(buffer[3..]), BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]));
            }

            if (length < 2 || marker == 0xD9)
            {
                return null;
            }

            stream.Seek(length - 2, SeekOrigin.Current);
        }
    }
}
