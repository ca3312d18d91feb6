using Headsup.Dicom.Codecs.Jpeg2000;
using Headsup.Testing;
using Xunit;
using System.Buffers.Binary;

namespace Headsup.Dicom.Codecs.Tests.Jpeg2000;

/// <summary>JPEG 2000 through OpenJPEG: corrupt and mismatched input (real files: the conformance tests).</summary>
public sealed class OpenJpegDecoderTests
{
    [SkippableFact]
    public void Decode_TruncatedCodestream_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_J2KR"));
        var destination = new byte[info.FrameBytes];
        foreach (int length in new[] { 0, 1, 2, 40, 200 })
        {
            Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().Decode(encoded.AsSpan(0, length), info, destination));
        }
    }

    // OpenJPEG decodes what it has of a codestream cut inside its tile data (JPEG 2000 is progressive) and reports
    // only a warning, so a cut stream either throws or yields a complete frame of the right size, never an overrun.
    [SkippableFact]
    public void Decode_CodestreamCutInTileData_ThrowsOrStaysInBounds()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_J2KR"));
        var destination = new byte[info.FrameBytes + 16];
        destination.AsSpan((int)info.FrameBytes).Fill(0xAA);
        try
        {
            new OpenJpegDecoder().Decode(encoded.AsSpan(0, encoded.Length / 2), info, destination.AsSpan(0, (int)info.FrameBytes));
        }
        catch (InvalidDataException)
        {
            // acceptable
        }

        Assert.All(destination[(int)info.FrameBytes..], b => Assert.Equal(0xAA, b));
    }

    [SkippableFact]
    public void Decode_GarbageBytes_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_J2KR"));
        var garbage = new byte[encoded.Length];
        new Random(90).NextBytes(garbage);
        Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().Decode(garbage, info, new byte[info.FrameBytes]));
        garbage[0] = 0xFF;
        garbage[1] = 0x4F; // SOC, then garbage
        Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().Decode(garbage, info, new byte[info.FrameBytes]));
    }

    [SkippableFact]
    public void Decode_HeaderSizeMismatch_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_J2KR"));
        foreach (var wrong in new[] { info with { Rows = 511 }, info with { Columns = 1024 }, info with { SamplesPerPixel = 3 }, info with { BitsAllocated = 8, BitsStored = 8, HighBit = 7 } })
        {
            var ex = Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().Decode(encoded, wrong, new byte[wrong.FrameBytes]));
            Assert.Contains("JPEG 2000", ex.Message, StringComparison.Ordinal);
        }
    }

    private static readonly Headsup.Dicom.Pixels.PixelDataInfo s_ct = new(512, 512, 1, 16, 16, 15, 1, 0, 1, "MONOCHROME2");

    [Fact]
    public void CheckHeader_MatchingSiz_Accepts()
    {
        new OpenJpegDecoder().CheckHeader(Siz(512, 512, 512, 512, 16), 10_000, s_ct);
        new OpenJpegDecoder().CheckHeader(Siz(512, 512, 512, 512, 16).AsSpan(0, 20), 10_000, s_ct); // cut before the sizes: left to Decode
    }

    [Fact]
    public void CheckHeader_SizeDisagreesWithDataSet_ThrowsWithoutNativeCode()
    {
        var ex = Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().CheckHeader(Siz(65535, 65535, 65535, 65535, 16), 10_000, s_ct));
        Assert.Contains("65535×65535×1 but the data set says 512×512×1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckHeader_TileGridOfOnePixelTiles_Refused()
    {
        // 262,144 tiles: OpenJPEG would allocate per-tile state for all of them before decoding anything.
        var ex = Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().CheckHeader(Siz(512, 512, 1, 1, 16), 10_000, s_ct));
        Assert.Contains("tiles", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckHeader_PrecisionAboveBitsAllocated_Throws()
    {
        Assert.Throws<InvalidDataException>(() => new OpenJpegDecoder().CheckHeader(Siz(512, 512, 512, 512, 24), 10_000, s_ct));
    }

    [SkippableFact]
    public void CheckHeader_RealCodestreams_Accepted()
    {
        foreach (var name in new[] { "CT1_J2KR", "CT1_J2KI" })
        {
            var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", name));
            new OpenJpegDecoder().CheckHeader(encoded, encoded.Length, info);
        }
    }

    /// <summary>SOC + SIZ of a one-component codestream (ITU T.800 A.5.1).</summary>
    private static byte[] Siz(uint width, uint height, uint tileWidth, uint tileHeight, int precision)
    {
        var bytes = new byte[4 + 2 + 38 + 3];
        bytes[0] = 0xFF;
        bytes[1] = 0x4F;
        bytes[2] = 0xFF;
        bytes[3] = 0x51;
        var siz = bytes.AsSpan(4);
        BinaryPrimitives.WriteUInt16BigEndian(siz, 41);
        BinaryPrimitives.WriteUInt32BigEndian(siz[4..], width);
        BinaryPrimitives.WriteUInt32BigEndian(siz[8..], height);
        BinaryPrimitives.WriteUInt32BigEndian(siz[20..], tileWidth);
        BinaryPrimitives.WriteUInt32BigEndian(siz[24..], tileHeight);
        BinaryPrimitives.WriteUInt16BigEndian(siz[36..], 1);
        siz[38] = (byte)(0x80 | (precision - 1));
        siz[39] = 1;
        siz[40] = 1;
        return bytes;
    }
}
