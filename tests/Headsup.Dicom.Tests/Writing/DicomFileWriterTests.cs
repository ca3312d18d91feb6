using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Headsup.Dicom.Writing;
using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Tests.Writing;

/// <summary>
/// The writer re-writes any data set the reader parses: every VR, nested sequences, encapsulated pixel data, in each
/// transfer syntax it supports, and compressed pixel data of a syntax it does not know is copied unchanged.
/// </summary>
public sealed class DicomFileWriterTests
{
    private static readonly string[] s_syntaxUids =
    [
        TransferSyntax.ExplicitVRLittleEndian.Uid,
        TransferSyntax.ImplicitVRLittleEndian.Uid,
        TransferSyntax.ExplicitVRBigEndian.Uid,
        TransferSyntax.DeflatedExplicitVRLittleEndian.Uid,
    ];

    public static TheoryData<string> Syntaxes => new(s_syntaxUids);

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Write_ParsedDatasetWithEveryVr_RewritesByteForByte(string uid)
    {
        TransferSyntax.TryLookup(uid, out var syntax);
        var original = EveryVrDataset();
        var first = Fixtures.ToBytes(original, syntax);
        var parsed = DicomFileReader.Parse(first, "every-vr.dcm");
        var second = Fixtures.ToBytes(parsed.Dataset, parsed.TransferSyntax);

        Assert.Equal(first, second);
        Assert.Equal(original.Items.Select(i => (i.Tag, i.VR)), parsed.Dataset.Items.Select(i => (i.Tag, i.VR)));
        foreach (var item in original.Items.OfType<DicomElement>())
        {
            Assert.True(parsed.Dataset.TryGetElement(item.Tag, out var read), $"{item.Tag} {item.VR} missing");
            Assert.True(item.Value.Span.SequenceEqual(read.Value.Span), $"{item.Tag} {item.VR} in {syntax.Name}");
        }

        Assert.True(parsed.Dataset.TryGetSequence(DicomTags.ReferencedImageSequence, out var sequence));
        Assert.Equal(2, sequence.Items.Count);
        Assert.True(sequence.Items[0].TryGetFirstItem(DicomTags.PurposeOfReferenceCodeSequence, out var nested));
        Assert.Equal("121311", nested.GetString(DicomTags.CodeValue));
    }

    [Fact]
    public void Write_EncapsulatedPixelData_CopiesOffsetTableAndFragmentsUnchanged()
    {
        var ds = Fixtures.CtSlice();
        ds.AddString(DicomTags.NumberOfFrames, "2", DicomVR.IS);
        byte[] f1 = [0xFF, 0xD8, 1, 2, 3, 4, 0xFF, 0xD9];
        byte[] f2 = [0xFF, 0xD8, 5, 6, 0xFF, 0xD9];
        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [0u, 16u], [new(0, f1), new(16, f2)]));
        var first = Fixtures.ToBytes(ds, TransferSyntax.JpegLosslessSV1);
        var parsed = DicomFileReader.Parse(first, "frag.dcm");
        var second = Fixtures.ToBytes(parsed.Dataset, parsed.TransferSyntax);

        Assert.Equal(first, second);
        var fragments = Assert.IsType<DicomFragments>(parsed.Dataset.Items[^1]);
        Assert.Equal(new uint[] { 0, 16 }, fragments.BasicOffsetTable);
        Assert.Equal(f1, fragments.Fragments[0].Data.ToArray());
        Assert.Equal(f2, fragments.Fragments[1].Data.ToArray());
    }

    [Fact]
    public void Write_UnknownEncapsulatedSyntax_KeepsItsUidAndFragments()
    {
        // What DicomFileReader makes of a UID it does not know (here HTJ2K): explicit VR little endian, encapsulated.
        var ds = Fixtures.CtSlice();
        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [], [new(0, new byte[] { 0xFF, 0x4F, 0xFF, 0x51 })]));
        var syntax = new TransferSyntax("1.2.840.10008.1.2.4.201", "Unknown", IsExplicitVR: true, IsBigEndian: false, IsDeflated: false, IsEncapsulated: true, IsLossy: true);
        Assert.True(DicomFileWriter.CanWrite(syntax));

        var bytes = Fixtures.ToBytes(ds, syntax);
        var parsed = DicomFileReader.Parse(bytes, "htj2k.dcm");

        Assert.Equal(syntax.Uid, parsed.TransferSyntax.Uid);
        Assert.Equal(bytes, Fixtures.ToBytes(parsed.Dataset, parsed.TransferSyntax));
        Assert.Equal(new byte[] { 0xFF, 0x4F, 0xFF, 0x51 }, Assert.IsType<DicomFragments>(parsed.Dataset.Items[^1]).Fragments[0].Data.ToArray());
    }

    [Fact]
    public void Write_UnknownSyntaxThatIsNotExplicitLittleEndianEncapsulated_Throws()
    {
        var syntax = new TransferSyntax("1.2.3.4", "Unknown", IsExplicitVR: false, IsBigEndian: false, IsDeflated: false, IsEncapsulated: false, IsLossy: false);
        Assert.False(DicomFileWriter.CanWrite(syntax));
        Assert.Throws<ArgumentException>(() => Fixtures.ToBytes(Fixtures.CtSlice(), syntax));
    }

    [SkippableFact]
    public void Write_EverySyntax_PydicomReadsTheSameValues()
    {
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        using var temp = TestData.CreateTempFolder();
        var files = new List<string>();
        foreach (var uid in s_syntaxUids)
        {
            TransferSyntax.TryLookup(uid, out var syntax);
            var path = Path.Combine(temp.Path, uid + ".dcm");
            DicomFileWriter.Save(path, EveryVrDataset(), syntax);
            files.Add(path);
        }

        const string Script = """
            import json, sys, pydicom
            out = {}
            for path in sys.argv[1:]:
                ds = pydicom.dcmread(path)
                ref = ds.ReferencedImageSequence
                out[path] = {
                    "ts": str(ds.file_meta.TransferSyntaxUID),
                    "name": str(ds.PatientName),
                    "rows": int(ds.Rows),
                    "ipp": [float(v) for v in ds.ImagePositionPatient],
                    "items": len(ref),
                    "nested": str(ref[0].PurposeOfReferenceCodeSequence[0].CodeValue),
                    "ref_uid": str(ref[1].ReferencedSOPInstanceUID),
                    "slope": float(ds.RealWorldValueMappingSequence[0].RealWorldValueSlope),
                }
            print(json.dumps(out))
            """;
        var (exit, stdout, stderr) = ExternalTool.Run(python, ["-c", Script, .. files]);
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        foreach (var path in files)
        {
            var r = json.RootElement.GetProperty(path);
            Assert.Equal(Path.GetFileNameWithoutExtension(path), r.GetProperty("ts").GetString());
            Assert.Equal("Doe^Jane", r.GetProperty("name").GetString());
            Assert.Equal(4, r.GetProperty("rows").GetInt32());
            Assert.Equal(new[] { -125.5, -120.25, 33.75 }, r.GetProperty("ipp").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal(2, r.GetProperty("items").GetInt32());
            Assert.Equal("121311", r.GetProperty("nested").GetString());
            Assert.Equal("1.2.3.4.5", r.GetProperty("ref_uid").GetString());
            Assert.Equal(2.5, r.GetProperty("slope").GetDouble());
        }
    }

    /// <summary>A CT slice plus one element of every VR (each on a dictionary tag of that VR, so implicit VR reads it back) and nested sequences.</summary>
    private static DicomDataset EveryVrDataset()
    {
        var ds = Fixtures.CtSlice();
        ds.AddString(DicomTags.PatientName, "Doe^Jane");
        foreach (var (tag, vr) in OneTagPerVr())
        {
            if (ds.Contains(tag) || vr == DicomVR.SQ)
            {
                continue;
            }

            ds.Add(new DicomElement(tag, vr, SampleValue(vr)));
        }

        ds.AddString(new DicomTag(0x0009, 0x0010), "HEADSUP TEST", DicomVR.LO);
        ds.Add(new DicomElement(new DicomTag(0x0009, 0x1001), DicomVR.UN, new byte[] { 9, 8, 7, 6 }));

        var code = new DicomDataset();
        code.AddString(DicomTags.CodeValue, "121311");
        code.AddString(DicomTags.CodingSchemeDesignator, "DCM");
        code.AddString(DicomTags.CodeMeaning, "Localizer");
        var first = new DicomDataset();
        first.AddString(DicomTags.ReferencedSOPClassUID, DicomUid.CTImageStorage);
        first.AddString(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.4");
        first.AddSequence(DicomTags.PurposeOfReferenceCodeSequence, code);
        var second = new DicomDataset();
        second.AddString(DicomTags.ReferencedSOPClassUID, DicomUid.CTImageStorage);
        second.AddString(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.5");
        ds.AddSequence(DicomTags.ReferencedImageSequence, first, second);
        var mapping = new DicomDataset();
        var slope = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(slope, 2.5);
        mapping.Add(new DicomElement(DicomTags.RealWorldValueSlope, DicomVR.FD, slope));
        ds.AddSequence(DicomTags.RealWorldValueMappingSequence, mapping);
        return ds;
    }

    /// <summary>For each VR, the first catalogue tag (outside groups 0002 and 7FE0, single-valued) whose dictionary VR is that VR.</summary>
    private static IEnumerable<(DicomTag Tag, DicomVR VR)> OneTagPerVr()
    {
        var seen = new HashSet<DicomVR>();
        foreach (var field in typeof(DicomTags).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DicomTag)))
        {
            var tag = (DicomTag)field.GetValue(null)!;
            if (tag.Group is 0x0002 or 0x7FE0 || !DicomDictionary.TryGet(tag, out var entry) || entry.Multiplicity != "1" || !seen.Add(entry.VR))
            {
                continue;
            }

            yield return (tag, entry.VR);
        }
    }

    private static byte[] SampleValue(DicomVR vr) => vr switch
    {
        DicomVR.AE => Encoding.ASCII.GetBytes("STATION1"),
        DicomVR.AS => Encoding.ASCII.GetBytes("045Y"),
        DicomVR.AT => [0x10, 0x00, 0x20, 0x00],
        DicomVR.CS => Encoding.ASCII.GetBytes("AXIAL "),
        DicomVR.DA => Encoding.ASCII.GetBytes("20240229"),
        DicomVR.DS => Encoding.ASCII.GetBytes("-1.5"),
        DicomVR.DT => Encoding.ASCII.GetBytes("20240229123456.789012+0100"),
        DicomVR.IS => Encoding.ASCII.GetBytes("42"),
        DicomVR.LO or DicomVR.LT or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT => Encoding.ASCII.GetBytes("Some text "),
        DicomVR.PN => Encoding.ASCII.GetBytes("Roe^Rich"),
        DicomVR.TM => Encoding.ASCII.GetBytes("123456"),
        DicomVR.UI => Encoding.ASCII.GetBytes("1.2.3.4\0"),
        DicomVR.UR => Encoding.ASCII.GetBytes("http://example.org/a"),
        DicomVR.UN or DicomVR.OB => [1, 2, 3, 4],
        _ => Enumerable.Range(1, 8 * vr.UnitSize()).Select(i => (byte)i).ToArray(),
    };
}
