using System.Buffers.Binary;

namespace Headsup.Dicom.Codecs.JpegLossless;

/// <summary>
/// The start-of-frame facts of an ITU T.81 stream, read by walking the marker segments (no entropy decoding), so that
/// sizes can be checked against the DICOM description before a native decoder sees the data.
/// </summary>
/// <param name="StartOfFrameMarker">The SOFn marker's second byte (0xC0 baseline, 0xC1 extended, 0xC3 lossless…).</param>
/// <param name="Precision">Sample precision P in bits.</param>
/// <param name="Rows">Number of lines Y.</param>
/// <param name="Columns">Samples per line X.</param>
/// <param name="Components">Number of image components Nf.</param>
public readonly record struct JpegFrameHeader(byte StartOfFrameMarker, int Precision, int Rows, int Columns, int Components)
{
    /// <summary>True for the lossless processes (SOF3, SOF7, SOF11, SOF15).</summary>
    public bool IsLossless => StartOfFrameMarker is 0xC3 or 0xC7 or 0xCB or 0xCF;

    /// <summary>Reads the frame header; checks that the stream starts with SOI and ends with EOI.</summary>
    /// <exception cref="InvalidDataException">The stream is not a complete JPEG stream.</exception>
    public static JpegFrameHeader Read(ReadOnlySpan<byte> stream)
    {
        if (stream.Length < 4 || stream[0] != 0xFF || stream[1] != 0xD8)
        {
            throw new InvalidDataException("JPEG stream does not start with the SOI marker (FF D8)");
        }

        if (!EndsWithEoi(stream))
        {
            throw new InvalidDataException($"JPEG stream of {stream.Length} bytes has no EOI marker (FF D9) at its end: truncated");
        }

        int at = 2;
        while (at + 4 <= stream.Length)
        {
            if (stream[at] != 0xFF)
            {
                throw new InvalidDataException($"JPEG marker expected at byte {at}, found 0x{stream[at]:X2}");
            }

            byte marker = stream[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(stream[(at + 2)..]);
            if (length < 2 || at + 2 + length > stream.Length)
            {
                throw new InvalidDataException($"JPEG marker FF {marker:X2} at byte {at} has length {length}, past the end of the stream");
            }

            bool isStartOfFrame = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isStartOfFrame)
            {
                if (length < 8)
                {
                    throw new InvalidDataException($"JPEG SOF segment is {length} bytes, too short");
                }

                var sof = stream.Slice(at + 4, length - 2);
                var header = new JpegFrameHeader(marker, sof[0], BinaryPrimitives.ReadUInt16BigEndian(sof[1..]), BinaryPrimitives.ReadUInt16BigEndian(sof[3..]), sof[5]);
                if (length != 8 + (3 * header.Components))
                {
                    throw new InvalidDataException($"JPEG SOF segment length {length} does not fit {header.Components} components");
                }

                return header;
            }

            if (marker == 0xDA)
            {
                break;
            }

            at += 2 + length;
        }

        throw new InvalidDataException("JPEG stream has no start-of-frame marker before its scan");
    }

    private static bool EndsWithEoi(ReadOnlySpan<byte> stream)
    {
        // Allow a few bytes of padding (DICOM pads fragments to even length; some writers add more).
        int from = Math.Max(2, stream.Length - 16);
        return stream[from..].LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
