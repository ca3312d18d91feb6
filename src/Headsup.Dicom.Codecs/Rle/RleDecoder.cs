using System.Buffers.Binary;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.Rle;

/// <summary>
/// RLE Lossless (1.2.840.10008.1.2.5), PS3.5 Annex G: a 64-byte header of 16 little-endian uint32 (segment count,
/// then up to 15 segment offsets), then one PackBits segment per byte plane. Segments run sample by sample and, within a
/// sample, most significant byte first; the output is little-endian and colour-by-pixel.
/// </summary>
public sealed class RleDecoder : IFrameDecoder
{
    private const int HeaderBytes = 64;
    private const int MaxSegments = 15;

    /// <inheritdoc />
    public string Name => "RLE Lossless";

    /// <inheritdoc />
    public bool CanDecode(TransferSyntax syntax) => syntax?.Uid == TransferSyntax.RleLossless.Uid;

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination)
    {
        if (destination.Length != info.FrameBytes)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the frame needs {info.FrameBytes}", nameof(destination));
        }

        if (encoded.Length < HeaderBytes)
        {
            throw new InvalidDataException($"RLE frame is {encoded.Length} bytes, shorter than the {HeaderBytes}-byte header");
        }

        int bytesPerSample = info.BytesPerSample;
        int samples = info.SamplesPerPixel;
        int expectedSegments = samples * bytesPerSample;
        uint segmentCount = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (segmentCount != expectedSegments || segmentCount > MaxSegments)
        {
            throw new InvalidDataException(
                $"RLE header declares {segmentCount} segments but {samples} sample(s) of {info.BitsAllocated} bits need {expectedSegments}");
        }

        int pixels = info.Rows * info.Columns;
        int stride = samples * bytesPerSample;
        for (int segment = 0; segment < expectedSegments; segment++)
        {
            uint start = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + (4 * segment))..]);
            uint end = segment + 1 < expectedSegments
                ? BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + (4 * (segment + 1)))..])
                : (uint)encoded.Length;
            if (start < HeaderBytes || end > encoded.Length || start > end)
            {
                throw new InvalidDataException($"RLE segment {segment} spans bytes {start}..{end}, outside the {encoded.Length}-byte frame");
            }

            int sample = segment / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            int produced = DecodeSegment(encoded[(int)start..(int)end], destination[((sample * bytesPerSample) + byteInSample)..], stride, pixels);
            if (produced < pixels)
            {
                throw new InvalidDataException($"RLE segment {segment} decodes to {produced} bytes, the frame needs {pixels}");
            }
        }
    }

    /// <inheritdoc />
    public void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info)
    {
        if (start.Length < HeaderBytes)
        {
            throw new InvalidDataException($"RLE frame starts with {start.Length} bytes, shorter than the {HeaderBytes}-byte header");
        }

        int segments = info.SamplesPerPixel * info.BytesPerSample;
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(start);
        if (declared != segments)
        {
            throw new InvalidDataException($"RLE header declares {declared} segments but {info.SamplesPerPixel} sample(s) of {info.BitsAllocated} bits need {segments}");
        }

        // PackBits turns two bytes into at most 128: each segment needs at least 2 bytes per 128 pixels.
        long pixels = (long)info.Rows * info.Columns;
        long minimum = HeaderBytes + (segments * 2 * ((pixels + 127) / 128));
        if (encodedLength < minimum)
        {
            throw new InvalidDataException($"RLE frame of {encodedLength} bytes cannot hold {segments} segment(s) of {pixels} pixels (at least {minimum} bytes)");
        }
    }

    /// <summary>
    /// PackBits: header n in 0..127 copies n+1 literal bytes, n in -127..-1 repeats the next byte 1-n times, -128 is a
    /// no-op. Writes every <paramref name="stride"/>-th byte of <paramref name="output"/>; stops after
    /// <paramref name="count"/> bytes (trailing padding is ignored). Returns the bytes produced.
    /// </summary>
    private static int DecodeSegment(ReadOnlySpan<byte> segment, Span<byte> output, int stride, int count)
    {
        int produced = 0;
        int at = 0;
        int outAt = 0;
        while (at < segment.Length && produced < count)
        {
            sbyte header = (sbyte)segment[at++];
            if (header >= 0)
            {
                int run = header + 1;
                if (at + run > segment.Length)
                {
                    throw new InvalidDataException($"RLE literal run of {run} bytes overruns the segment");
                }

                run = Math.Min(run, count - produced);
                for (int i = 0; i < run; i++)
                {
                    output[outAt] = segment[at + i];
                    outAt += stride;
                }

                at += header + 1;
                produced += run;
            }
            else if (header != -128)
            {
                if (at >= segment.Length)
                {
                    throw new InvalidDataException("RLE replicate run has no value byte");
                }

                int run = Math.Min(1 - header, count - produced);
                byte value = segment[at++];
                if (stride == 1)
                {
                    output.Slice(outAt, run).Fill(value);
                    outAt += run;
                }
                else
                {
                    for (int i = 0; i < run; i++)
                    {
                        output[outAt] = value;
                        outAt += stride;
                    }
                }

                produced += run;
            }
        }

        return produced;
    }
}
