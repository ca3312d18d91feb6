using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Headsup.Dicom.Codecs;

/// <summary>Rewrites decoded samples into the frame layout callers expect: little-endian, colour-by-pixel.</summary>
internal static class SampleLayout
{
    /// <summary>
    /// Copies unsigned samples of <paramref name="sourceBytes"/> bytes (native little-endian, interleaved or planar) into
    /// interleaved samples of <paramref name="destinationBytes"/> bytes.
    /// </summary>
    public static void Widen(ReadOnlySpan<byte> source, int sourceBytes, bool planar, int samples, Span<byte> destination, int destinationBytes)
    {
        int count = source.Length / sourceBytes;
        int pixels = count / samples;
        if (count * destinationBytes != destination.Length)
        {
            throw new InvalidDataException($"decoded {count} samples do not fill a {destination.Length}-byte frame");
        }

        for (int i = 0; i < count; i++)
        {
            uint value = sourceBytes == 1 ? source[i] : BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]);
            int target = planar ? ((i % pixels * samples) + (i / pixels)) : i;
            Write(destination, target, destinationBytes, value);
        }
    }

    /// <summary>Writes one plane of 32-bit samples as component <paramref name="component"/> of an interleaved frame.</summary>
    public static void WriteComponent(ReadOnlySpan<int> plane, Span<byte> destination, int component, int samples, int bytesPerSample)
    {
        if (((long)plane.Length * samples * bytesPerSample) != destination.Length)
        {
            throw new InvalidDataException($"a component of {plane.Length} samples does not fit a {destination.Length}-byte frame");
        }

        if (samples == 1 && bytesPerSample == 2)
        {
            var words = MemoryMarshal.Cast<byte, short>(destination);
            for (int i = 0; i < plane.Length; i++)
            {
                words[i] = (short)plane[i];
            }

            return;
        }

        for (int i = 0; i < plane.Length; i++)
        {
            Write(destination, (i * samples) + component, bytesPerSample, (uint)plane[i]);
        }
    }

    /// <summary>Sign-extends two's-complement samples of <paramref name="bits"/> bits to their full width, in place.</summary>
    public static void SignExtend(Span<byte> frame, int bytesPerSample, int bits)
    {
        int width = bytesPerSample * 8;
        if (bits >= width)
        {
            return;
        }

        int shift = width - bits;
        switch (bytesPerSample)
        {
            case 1:
                foreach (ref byte b in frame)
                {
                    b = (byte)((sbyte)(b << shift) >> shift);
                }

                break;
            case 2:
                foreach (ref short s in MemoryMarshal.Cast<byte, short>(frame))
                {
                    s = (short)((short)(s << shift) >> shift);
                }

                break;
            default:
                foreach (ref int v in MemoryMarshal.Cast<byte, int>(frame))
                {
                    v = (v << shift) >> shift;
                }

                break;
        }
    }

    private static void Write(Span<byte> destination, int index, int bytesPerSample, uint value)
    {
        switch (bytesPerSample)
        {
            case 1:
                destination[index] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * index)..], (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * index)..], value);
                break;
        }
    }
}
