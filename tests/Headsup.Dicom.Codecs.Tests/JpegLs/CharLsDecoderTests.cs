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
}
