using BenchmarkDotNet.Attributes;
using Headsup.Dicom;
using Headsup.Dicom.Writing;

namespace Headsup.Benchmarks.Pipeline;

/// <summary>
/// One uncompressed 512×512 CT slice → E2 tensor, in memory. The input is generated (12-bit, intercept −1024, like
/// RSNA) so the benchmark runs anywhere; the side-by-side script times real files against the Python pipeline.
/// </summary>
[MemoryDiagnoser]
public class E2PipelineBenchmark
{
    private readonly E2Pipeline _pipeline = new();
    private byte[] _bytes = [];

    /// <summary>Builds the slice.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var pixels = new byte[512 * 512 * 2];
        for (int i = 0; i < pixels.Length; i += 2)
        {
            int v = 1024 + random.Next(-50, 80);
            pixels[i] = (byte)v;
            pixels[i + 1] = (byte)(v >> 8);
        }

        var ds = new DicomDataset();
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, DicomUid.Generate());
        ds.AddString(DicomTags.Modality, "CT");
        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddUInt16(DicomTags.Rows, 512);
        ds.AddUInt16(DicomTags.Columns, 512);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 12);
        ds.AddUInt16(DicomTags.HighBit, 11);
        ds.AddUInt16(DicomTags.PixelRepresentation, 0);
        ds.AddString(DicomTags.RescaleIntercept, "-1024", DicomVR.DS);
        ds.AddString(DicomTags.RescaleSlope, "1", DicomVR.DS);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, ds, TransferSyntax.ExplicitVRLittleEndian);
        _bytes = stream.ToArray();
    }

    /// <summary>Parse + HU + E2.</summary>
    [Benchmark]
    public float DicomToE2()
    {
        _pipeline.Run(_bytes, "bench.dcm");
        return _pipeline.Tensor[12345];
    }
}
