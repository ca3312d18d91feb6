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
        RequireSoi(stream, "JPEG");
        if (!EndsWithEoi(stream))
        {
            throw new InvalidDataException($"JPEG stream of {stream.Length} bytes has no EOI marker (FF D9) at its end: truncated");
        }

        return Walk(stream, jpegLs: false, complete: true, out var header)
            ? header
            : throw new InvalidDataException("JPEG stream has no start-of-frame marker before its scan");
    }

    /// <summary>
    /// Reads the frame header from the start of a stream (e.g. a frame's first fragment) without requiring the rest:
    /// false when <paramref name="start"/> ends before the start-of-frame segment.
    /// </summary>
    /// <param name="start">The first bytes of the stream.</param>
    /// <param name="jpegLs">True for JPEG-LS (ITU T.87), whose frame header is SOF55 (FF F7).</param>
    /// <param name="header">The frame header when found.</param>
    /// <exception cref="InvalidDataException">The bytes are not the start of a JPEG (or JPEG-LS) stream.</exception>
    public static bool TryReadStart(ReadOnlySpan<byte> start, bool jpegLs, out JpegFrameHeader header)
    {
        RequireSoi(start, jpegLs ? "JPEG-LS" : "JPEG");
        return Walk(start, jpegLs, complete: false, out header);
    }

    private static void RequireSoi(ReadOnlySpan<byte> stream, string kind)
    {
        if (stream.Length < 4 || stream[0] != 0xFF || stream[1] != 0xD8)
        {
            throw new InvalidDataException($"{kind} stream does not start with the SOI marker (FF D8)");
        }
    }

    /// <summary>
    /// Walks the marker segments after SOI up to the frame header. Every segment length is checked against the bytes
    /// present: past the end is an error for a complete stream, and "not found yet" (false) for a stream's start.
    /// </summary>
    private static bool Walk(ReadOnlySpan<byte> stream, bool jpegLs, bool complete, out JpegFrameHeader header)
    {
        header = default;
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
            if (length < 2)
            {
                throw new InvalidDataException($"JPEG marker FF {marker:X2} at byte {at} has length {length}");
            }

            if (at + 2 + length > stream.Length)
            {
                return complete
                    ? throw new InvalidDataException($"JPEG marker FF {marker:X2} at byte {at} has length {length}, past the end of the stream")
                    : false;
            }

            bool isStartOfFrame = jpegLs
                ? marker == 0xF7
                : marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isStartOfFrame)
            {
                if (length < 8)
                {
                    throw new InvalidDataException($"JPEG SOF segment is {length} bytes, too short");
                }

                var sof = stream.Slice(at + 4, length - 2);
                header = new JpegFrameHeader(marker, sof[0], BinaryPrimitives.ReadUInt16BigEndian(sof[1..]), BinaryPrimitives.ReadUInt16BigEndian(sof[3..]), sof[5]);
                if (length != 8 + (3 * header.Components))
                {
                    throw new InvalidDataException($"JPEG SOF segment length {length} does not fit {header.Components} components");
                }

                return true;
            }

            if (marker == 0xDA)
            {
                throw new InvalidDataException("JPEG stream has no start-of-frame marker before its scan");
            }

            at += 2 + length;
        }

        return complete ? throw new InvalidDataException("JPEG stream has no start-of-frame marker before its scan") : false;
    }

    private static bool EndsWithEoi(ReadOnlySpan<byte> stream)
    {
        // Allow a few bytes of padding (DICOM pads fragments to even length; some writers add more).
        int from = Math.Max(2, stream.Length - 16);
        return stream[from..].LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
