using Headsup.Dicom.Codecs.JpegLs;
using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests.JpegLs;

/// <summary>JPEG-LS through CharLS: real files are covered by the WG04/pydicom conformance tests; here, corrupt input.</summary>
public sealed class CharLsDecoderTests
{
    [SkippableFact]
    public void ReadHeader_LosslessStream_ReportsGeometryAndNearZero()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JLSL"));
        var header = CharLsDecoder.ReadHeader(encoded);
        Assert.Equal(new JpegLsStreamInfo(info.Rows, info.Columns, 16, 1, 0), header);
    }

    [SkippableFact]
    public void Decode_TruncatedStream_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JLSL"));
        var destination = new byte[info.FrameBytes];
        foreach (int length in new[] { 0, 2, 30, encoded.Length / 2, encoded.Length - 8 })
        {
            Assert.Throws<InvalidDataException>(() => new CharLsDecoder().Decode(encoded.AsSpan(0, length), info, destination));
        }
    }

    [SkippableFact]
    public void Decode_GarbageBytes_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JLSL"));
        var garbage = new byte[encoded.Length];
        new Random(80).NextBytes(garbage);
        Assert.Throws<InvalidDataException>(() => new CharLsDecoder().Decode(garbage, info, new byte[info.FrameBytes]));
        encoded.AsSpan(0, 2).CopyTo(garbage); // valid SOI, garbage after
        Assert.Throws<InvalidDataException>(() => new CharLsDecoder().Decode(garbage, info, new byte[info.FrameBytes]));
    }

    [SkippableFact]
    public void Decode_HeaderSizeMismatch_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JLSL"));
        foreach (var wrong in new[] { info with { Rows = 511 }, info with { Columns = 1024 }, info with { SamplesPerPixel = 3 }, info with { BitsAllocated = 8, BitsStored = 8, HighBit = 7 } })
        {
            var ex = Assert.Throws<InvalidDataException>(() => new CharLsDecoder().Decode(encoded, wrong, new byte[wrong.FrameBytes]));
            Assert.Contains("JPEG-LS", ex.Message, StringComparison.Ordinal);
        }
    }

    private static readonly Headsup.Dicom.Pixels.PixelDataInfo s_ct = new(512, 512, 1, 16, 16, 15, 1, 0, 1, "MONOCHROME2");

    [Theory]
    [InlineData(512, 512, 16, true)]
    [InlineData(0, 512, 16, true)] // height given later by an LSE segment
    [InlineData(65535, 65535, 16, false)]
    [InlineData(512, 256, 16, false)]
    [InlineData(512, 512, 1, false)]
    public void CheckHeader_Sof55_ComparedWithDataSetBeforeCharLsSeesIt(int rows, int columns, int precision, bool agrees)
    {
        byte[] stream = [0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, (byte)precision, (byte)(rows >> 8), (byte)rows, (byte)(columns >> 8), (byte)columns, 0x01, 0x01, 0x11, 0x00];
        var check = () => new CharLsDecoder().CheckHeader(stream, 10_000, s_ct);
        if (agrees)
        {
            check();
        }
        else
        {
            Assert.Contains("JPEG-LS", Assert.Throws<InvalidDataException>(check).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckHeader_NotJpegLs_Throws()
    {
        Assert.Throws<InvalidDataException>(() => new CharLsDecoder().CheckHeader(new byte[16], 10_000, s_ct));
    }
}
