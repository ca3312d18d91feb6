using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Series.Sources;
using Xunit;

namespace Headsup.Series.Tests.Sources;

public class DicomHeaderReaderTests
{
    private static byte[] Encode(DicomDataset dataset, TransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, dataset, syntax);
        return stream.ToArray();
    }

    private static DicomDataset LargeSlice()
    {
        var ds = new SeriesSpec { Rows = 256 }.Slice(0);
        var pixels = new byte[256 * 8 * 2 * 40];
        new Random(7).NextBytes(pixels);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        return ds;
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public void Read_InstanceLongerThanPrefix_SameHeaderAsFullParse(string syntaxUid)
    {
        Assert.True(TransferSyntax.TryLookup(syntaxUid, out var syntax));
        var bytes = Encode(LargeSlice(), syntax);
        Assert.True(bytes.Length > 64 * 1024);

        var header = DicomHeaderReader.Read(new MemoryStream(bytes), "large.dcm", prefixBytes: 4096);

        var full = DicomFileReader.Parse(bytes, "large.dcm");
        Assert.False(header.Dataset.Contains(DicomTags.PixelData));
        Assert.Equal(full.Dataset.Items.Where(i => i.Tag != DicomTags.PixelData).Select(i => i.Tag), header.Dataset.Items.Select(i => i.Tag));
        Assert.Equal(full.Dataset.GetString(DicomTags.SOPInstanceUID), header.Dataset.GetString(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public void Read_HeaderLongerThanPrefix_FallsBackToWholeInstance()
    {
        var ds = LargeSlice();
        ds.AddBytes(DicomTags.EncapsulatedDocument, DicomVR.OB, new byte[20_000]);
        var bytes = Encode(ds, TransferSyntax.ExplicitVRLittleEndian);

        var header = DicomHeaderReader.Read(new MemoryStream(bytes), "big-header.dcm", prefixBytes: 4096);

        Assert.True(header.Dataset.Contains(DicomTags.EncapsulatedDocument));
        Assert.Equal("HEAD", header.Dataset.GetString(DicomTags.BodyPartExamined));
    }

    [Fact]
    public void Read_PixelDataPatternInsideEarlierValue_NotMistakenForHeaderEnd()
    {
        var ds = LargeSlice();
        var decoy = new byte[2000];
        for (int i = 0; i + 8 <= decoy.Length; i += 8)
        {
            decoy[i] = 0xE0;
            decoy[i + 1] = 0x7F;
            decoy[i + 2] = 0x10;
            decoy[i + 3] = 0x00;
        }

        ds.AddBytes(DicomTags.EncapsulatedDocument, DicomVR.OB, decoy);
        ds.AddString(DicomTags.PresentationLUTShape, "IDENTITY");
        var bytes = Encode(ds, TransferSyntax.ExplicitVRLittleEndian);

        var header = DicomHeaderReader.Read(new MemoryStream(bytes), "decoy.dcm", prefixBytes: 4096);

        Assert.True(header.Dataset.Contains(DicomTags.EncapsulatedDocument));
        Assert.Equal("IDENTITY", header.Dataset.GetString(DicomTags.PresentationLUTShape));
    }

    [Fact]
    public void Read_NotDicom_ThrowsParseException()
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello, this is a text file\n", 200)));

        var error = Assert.Throws<DicomParseException>(() => DicomHeaderReader.Read(new MemoryStream(bytes), "notes.txt"));
        Assert.StartsWith("not a DICOM file", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InstanceLongerThanLimit_ThrowsParseException()
    {
        var ds = LargeSlice();
        ds.AddBytes(DicomTags.EncapsulatedDocument, DicomVR.OB, new byte[200_000]);
        var bytes = Encode(ds, TransferSyntax.ExplicitVRLittleEndian);

        Assert.Throws<DicomParseException>(() => DicomHeaderReader.Read(new MemoryStream(bytes), "huge.dcm", prefixBytes: 4096, maxFileBytes: 100_000));
    }
}
