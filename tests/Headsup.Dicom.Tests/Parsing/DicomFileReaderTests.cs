using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Dicom.Writing;
using Xunit;

namespace Headsup.Dicom.Tests.Parsing;

public sealed class DicomFileReaderTests
{
    public static TheoryData<string> Syntaxes => new()
    {
        TransferSyntax.ExplicitVRLittleEndian.Uid,
        TransferSyntax.ImplicitVRLittleEndian.Uid,
        TransferSyntax.ExplicitVRBigEndian.Uid,
        TransferSyntax.DeflatedExplicitVRLittleEndian.Uid,
    };

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Parse_WrittenInSyntax_RoundTripsEveryValue(string uid)
    {
        TransferSyntax.TryLookup(uid, out var syntax);
        var original = Fixtures.CtSlice();
        var file = DicomFileReader.Parse(Fixtures.ToBytes(original, syntax), "fixture.dcm");

        Assert.Equal(syntax, file.TransferSyntax);
        Assert.True(file.HasPreamble);
        Assert.Equal(original.Items.Select(i => i.Tag), file.Dataset.Items.Select(i => i.Tag));
        Assert.Equal("Test^Patient", file.Dataset.GetString(DicomTags.PatientName));
        Assert.Equal(new[] { "ORIGINAL", "PRIMARY", "AXIAL" }, file.Dataset.GetStrings(DicomTags.ImageType));
        Assert.True(file.Dataset.TryGetDoubles(DicomTags.ImagePositionPatient, out var ipp));
        Assert.Equal(new[] { -125.5, -120.25, 33.75 }, ipp);
        Assert.Equal(-1024m, file.Dataset.TryGetDecimal(DicomTags.RescaleIntercept, out var intercept) ? intercept : 0);
        Assert.Equal(4, file.Dataset.GetInt32(DicomTags.Rows));

        Assert.True(file.Dataset.TryGetSequence(DicomTags.AnatomicRegionSequence, out var seq));
        Assert.Equal(2, seq.Items.Count);
        Assert.Equal("T-A0100", seq.Items[0].GetString(DicomTags.CodeValue));
        Assert.Equal("Nested", seq.Items[0].TryGetFirstItem(DicomTags.ConceptCodeSequence, out var nested) ? nested.GetString(DicomTags.CodeMeaning) : null);
        Assert.Equal("X", seq.Items[1].GetString(DicomTags.CodeValue));

        var reader = PixelFrameReader.Create(file, null);
        var frame = new byte[reader.FrameBytes];
        reader.ReadFrame(0, frame);
        Assert.True(original.TryGetElement(DicomTags.PixelData, out var px));
        Assert.Equal(px.Value.ToArray(), frame);
    }

    [Fact]
    public void Parse_BareImplicitDataset_ReadsWithoutMeta()
    {
        using var stream = new MemoryStream();
        DicomFileWriter.WriteDataset(stream, Fixtures.CtSlice(), explicitVR: false, bigEndian: false);
        var file = DicomFileReader.Parse(stream.ToArray(), "bare.dcm");

        Assert.False(file.HasFileMeta);
        Assert.False(file.HasPreamble);
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal("CT", file.Dataset.GetString(DicomTags.Modality));
    }

    [Fact]
    public void Parse_BareExplicitDatasetWithStrayByte_SkipsItAndWarns()
    {
        using var stream = new MemoryStream();
        stream.WriteByte(0x20);
        DicomFileWriter.WriteDataset(stream, Fixtures.CtSlice(), explicitVR: true, bigEndian: false);
        var file = DicomFileReader.Parse(stream.ToArray(), "stray.dcm");

        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
        Assert.Single(file.Warnings);
        Assert.Equal("CT", file.Dataset.GetString(DicomTags.Modality));
    }

    [Fact]
    public void Parse_UndefinedLengthUnknownVR_ParsedAsImplicitSequence()
    {
        // CP-246: an undefined-length UN element holds an implicit VR little endian sequence.
        var inner = new DicomDataset();
        inner.AddString(DicomTags.CodeValue, "ABC");
        using var body = new MemoryStream();
        DicomFileWriter.WriteDataset(body, inner, explicitVR: false, bigEndian: false);
        var bytes = new List<byte>();
        bytes.AddRange([0x08, 0x00, 0x05, 0x00, (byte)'C', (byte)'S', 0x0A, 0x00]);
        bytes.AddRange("ISO_IR 100"u8.ToArray());
        bytes.AddRange([0x09, 0x00, 0x10, 0x10, (byte)'U', (byte)'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        bytes.AddRange([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        bytes.AddRange(body.ToArray());
        bytes.AddRange([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        var file = DicomFileReader.Parse(bytes.ToArray(), "un.dcm");

        Assert.True(file.Dataset.TryGetSequence(new DicomTag(0x0009, 0x1010), out var seq));
        Assert.Equal("ABC", seq.Items[0].GetString(DicomTags.CodeValue));
    }

    [Fact]
    public void Parse_EncapsulatedPixelData_KeepsOffsetTableAndFragments()
    {
        var ds = Fixtures.CtSlice();
        ds.AddString(DicomTags.NumberOfFrames, "2", DicomVR.IS);
        byte[] f1 = [0xFF, 0xD8, 1, 2, 3, 4];
        byte[] f2 = [0xFF, 0xD8, 5, 6];
        byte[] f3 = [7, 8];
        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [0u, 14u], [new(0, f1), new(14, f2), new(26, f3)]));
        var file = DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.RleLossless), "frag.dcm");

        Assert.True(file.Dataset.TryGetItem(DicomTags.PixelData, out var item));
        var fragments = Assert.IsType<DicomFragments>(item);
        Assert.Equal(new uint[] { 0, 14 }, fragments.BasicOffsetTable);
        Assert.Equal(new long[] { 0, 14, 26 }, fragments.Fragments.Select(f => f.RelativeOffset));
        var frames = EncapsulatedFrameLocator.Locate(fragments, 2, "frag.dcm");
        Assert.Equal(new[] { new FrameFragments(0, 1), new FrameFragments(1, 2) }, frames);
    }

    [Fact]
    public void Parse_StopAtPixelData_OmitsPixels()
    {
        var file = DicomFileReader.Parse(Fixtures.ToBytes(Fixtures.CtSlice(), TransferSyntax.ExplicitVRLittleEndian), "x.dcm", new DicomReadOptions { StopAtPixelData = true });
        Assert.False(file.Dataset.Contains(DicomTags.PixelData));
        Assert.True(file.Dataset.Contains(DicomTags.Rows));
        Assert.True(file.StoppedAtPixelData);
    }

    [Fact]
    public void Parse_StopAtPixelDataOnPrefixEndingBeforeIt_SaysItDidNotStop()
    {
        var bytes = Fixtures.ToBytes(Fixtures.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);
        var options = new DicomReadOptions { StopAtPixelData = true };
        var whole = DicomFileReader.Parse(bytes, "x.dcm", options);
        int pixelDataTag = bytes.AsSpan().LastIndexOf(new byte[] { 0xE0, 0x7F, 0x10, 0x00 });
        var cut = DicomFileReader.Parse(bytes.AsMemory(0, pixelDataTag), "x.dcm", options);

        Assert.False(cut.StoppedAtPixelData);
        Assert.Equal(whole.Dataset.Count, cut.Dataset.Count);
        Assert.False(DicomFileReader.Parse(bytes, "x.dcm").StoppedAtPixelData);
    }

    [Fact]
    public void Save_WritesAtomically_NoTemporaryLeft()
    {
        using var temp = Headsup.Testing.TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "a", "slice.dcm");
        DicomFileWriter.Save(path, Fixtures.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);
        Assert.True(File.Exists(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        Assert.Equal("CT", DicomFileReader.Open(path).Dataset.GetString(DicomTags.Modality));
    }
}
