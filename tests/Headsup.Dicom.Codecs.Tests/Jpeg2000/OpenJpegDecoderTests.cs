using Headsup.Dicom.Codecs.Jpeg2000;
using Headsup.Testing;
using Xunit;

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
}
