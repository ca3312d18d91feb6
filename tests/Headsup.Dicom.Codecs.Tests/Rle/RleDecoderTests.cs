using System.Buffers.Binary;
using Headsup.Dicom.Codecs.Rle;
using Headsup.Dicom.Pixels;
using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests.Rle;

/// <summary>RLE Lossless (PS3.5 Annex G) on hand-built streams and real files.</summary>
public sealed class RleDecoderTests
{
    private static readonly PixelDataInfo s_mono16 = new(2, 3, 1, 16, 16, 15, 1, 0, 1, "MONOCHROME2");
    private static readonly PixelDataInfo s_rgb8 = new(1, 2, 3, 8, 8, 7, 0, 0, 1, "RGB");

    [Fact]
    public void Decode_SixteenBitSegments_WritesLittleEndianMostSignificantPlaneFirst()
    {
        // Values 0x0102, 0x0304, 0xFFFE (-2), 0x0000, 0x0000, 0x7F00: high plane then low plane.
        byte[] high = [0x01, 0x03, 0xFF, 0x00, 0x00, 0x7F];
        byte[] low = [0x02, 0x04, 0xFE, 0x00, 0x00, 0x00];
        var encoded = Build(Literal(high), [.. Literal(low[..3]), 0xFE, 0x00]); // 3 literals, then run of 3 zeros
        var destination = new byte[s_mono16.FrameBytes];
        new RleDecoder().Decode(encoded, s_mono16, destination);
        Assert.Equal([0x02, 0x01, 0x04, 0x03, 0xFE, 0xFF, 0, 0, 0, 0, 0x00, 0x7F], destination);
    }

    [Fact]
    public void Decode_ColourSegments_InterleavesSamples()
    {
        var encoded = Build(Literal([10, 11]), [0xFF, 20], Literal([30, 31])); // G plane is a run of two 20s
        var destination = new byte[s_rgb8.FrameBytes];
        new RleDecoder().Decode(encoded, s_rgb8, destination);
        Assert.Equal([10, 20, 30, 11, 20, 31], destination);
    }

    [Fact]
    public void Decode_NoOpHeaderAndTrailingPadding_Ignored()
    {
        var encoded = Build([0x80, .. Literal([1, 2, 3, 4, 5, 6]), 0x00], [0xFB, 0x09, 0x00]); // -128 no-op, pad byte; run of 6
        var destination = new byte[s_mono16.FrameBytes];
        new RleDecoder().Decode(encoded, s_mono16, destination);
        Assert.Equal([9, 1, 9, 2, 9, 3, 9, 4, 9, 5, 9, 6], destination);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(63)]
    public void Decode_ShorterThanHeader_Throws(int length)
    {
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(new byte[length], s_mono16, new byte[s_mono16.FrameBytes]));
    }

    [Fact]
    public void Decode_SegmentCountMismatch_Throws()
    {
        var encoded = Build(Literal([1, 2, 3, 4, 5, 6])); // one segment for 16-bit data
        var ex = Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(encoded, s_mono16, new byte[s_mono16.FrameBytes]));
        Assert.Contains("segments", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_OffsetOutsideFrame_Throws()
    {
        var encoded = Build(Literal([1, 2, 3, 4, 5, 6]), Literal([1, 2, 3, 4, 5, 6]));
        BinaryPrimitives.WriteUInt32LittleEndian(encoded.AsSpan(8), 100_000);
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(encoded, s_mono16, new byte[s_mono16.FrameBytes]));
    }

    [Fact]
    public void Decode_ShortSegmentOrOverrunningLiteral_Throws()
    {
        var shortSegment = Build(Literal([1, 2, 3]), Literal([1, 2, 3, 4, 5, 6]));
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(shortSegment, s_mono16, new byte[s_mono16.FrameBytes]));
        var overrun = Build([0x05, 1, 2], Literal([1, 2, 3, 4, 5, 6]));
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(overrun, s_mono16, new byte[s_mono16.FrameBytes]));
        var dangling = Build([0xFB], Literal([1, 2, 3, 4, 5, 6]));
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(dangling, s_mono16, new byte[s_mono16.FrameBytes]));
    }

    [Fact]
    public void Decode_RandomGarbage_ThrowsOrFillsFrameWithoutOverrun()
    {
        var random = new Random(5);
        var decoder = new RleDecoder();
        for (int trial = 0; trial < 200; trial++)
        {
            var garbage = new byte[random.Next(0, 400)];
            random.NextBytes(garbage);
            if (garbage.Length >= 64 && trial % 2 == 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(garbage, 2); // get past the count check sometimes
            }

            var destination = new byte[s_mono16.FrameBytes + 8];
            destination.AsSpan((int)s_mono16.FrameBytes).Fill(0xAA);
            try
            {
                decoder.Decode(garbage, s_mono16, destination.AsSpan(0, (int)s_mono16.FrameBytes));
            }
            catch (InvalidDataException)
            {
                // expected for most inputs
            }

            Assert.All(destination[(int)s_mono16.FrameBytes..], b => Assert.Equal(0xAA, b));
        }
    }

    [SkippableFact]
    public void Decode_TruncatedRealFrame_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_RLE"));
        var destination = new byte[info.FrameBytes];
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(encoded.AsSpan(0, encoded.Length / 2), info, destination));
        Assert.Throws<InvalidDataException>(() => new RleDecoder().Decode(encoded, info with { Rows = info.Rows * 2 }, new byte[info.FrameBytes * 2]));
    }

    private static byte[] Literal(byte[] values) => [(byte)(values.Length - 1), .. values];

    private static byte[] Build(params byte[][] segments)
    {
        var header = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)segments.Length);
        int offset = 64;
        for (int i = 0; i < segments.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + (4 * i)), (uint)offset);
            offset += segments[i].Length;
        }

        return [.. header, .. segments.SelectMany(s => s)];
    }

    [Fact]
    public void CheckHeader_TooFewBytesForTheFrame_Throws()
    {
        // 512 × 512 × 16 bits needs two segments of at least 2 bytes per 128 pixels (PackBits' longest run).
        var info = new PixelDataInfo(512, 512, 1, 16, 16, 15, 1, 0, 1, "MONOCHROME2");
        var header = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 2);
        var ex = Assert.Throws<InvalidDataException>(() => new RleDecoder().CheckHeader(header, 1000, info));
        Assert.Contains("cannot hold", ex.Message, StringComparison.Ordinal);
        new RleDecoder().CheckHeader(header, 64 + (2 * 2 * 2048), info);
        BinaryPrimitives.WriteUInt32LittleEndian(header, 3);
        Assert.Throws<InvalidDataException>(() => new RleDecoder().CheckHeader(header, 1_000_000, info));
    }
}
