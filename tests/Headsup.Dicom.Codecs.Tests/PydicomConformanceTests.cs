using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests;

/// <summary>pydicom's small test files: the same image in several syntaxes must decode to the same values.</summary>
public sealed class PydicomConformanceTests
{
    [SkippableTheory]
    [InlineData("MR_small_RLE.dcm", "MR_small.dcm")]
    [InlineData("MR_small_jp2klossless.dcm", "MR_small.dcm")]
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "MR_small.dcm")]
    [InlineData("emri_small_RLE.dcm", "emri_small.dcm")]
    [InlineData("emri_small_jpeg_2k_lossless.dcm", "emri_small.dcm")]
    [InlineData("emri_small_jpeg_ls_lossless.dcm", "emri_small.dcm")]
    [InlineData("emri_small_big_endian.dcm", "emri_small.dcm")]
    public void Decode_LosslessVariant_ValuesEqualUncompressed(string name, string referenceName)
    {
        var reference = Frames.Decode(TestData.RequireSharedData("dicom", "pydicom", referenceName));
        var decoded = Frames.Decode(TestData.RequireSharedData("dicom", "pydicom", name));
        Frames.AssertValuesEqual(reference, decoded);
    }

    // 693_J2KR says Bits Stored 16 while its codestream (and 693_UNCR) carry 14-bit signed samples. Decoding by the
    // codestream's precision and sign, as pydicom and GDCM do, gives exactly the uncompressed file's values.
    [SkippableFact]
    public void Decode_Jpeg2000BitsStoredMismatch_ValuesEqualUncompressed()
    {
        var reference = Frames.Decode(TestData.RequireSharedData("dicom", "pydicom", "693_UNCR.dcm"));
        var decoded = Frames.Decode(TestData.RequireSharedData("dicom", "pydicom", "693_J2KR.dcm"));
        Frames.AssertBytesEqual(reference, decoded);
    }
}
