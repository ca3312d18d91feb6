using System.Buffers.Binary;
using Headsup.Dicom;
using Headsup.Phantom.Output;
using Headsup.Testing;

namespace Headsup.Phantom.Tests.Output;

public sealed class CtSliceDatasetBuilderTests : IClassFixture<PhantomOutputFixture>
{
    private readonly PhantomOutputFixture _fixture;

    public CtSliceDatasetBuilderTests(PhantomOutputFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public void Generate_FilesReread_GeometryAndIdentifiersConsistent()
    {
        var sopUids = new HashSet<string>();
        foreach (var study in _fixture.Summary.Studies)
        {
            var datasets = study.Files.Select(f => DicomFileReader.Open(Path.Combine(_fixture.Folder.Path, f)).Dataset).ToList();
            var zs = new List<double>();
            foreach (var ds in datasets)
            {
                Assert.Equal(DicomUid.CTImageStorage, ds.GetString(DicomTags.SOPClassUID));
                Assert.True(sopUids.Add(ds.GetString(DicomTags.SOPInstanceUID)));
                Assert.Equal(study.StudyInstanceUid, ds.GetString(DicomTags.StudyInstanceUID));
                Assert.Equal(study.SeriesInstanceUid, ds.GetString(DicomTags.SeriesInstanceUID));
                Assert.Equal("CT", ds.GetString(DicomTags.Modality));
                Assert.Equal("HEAD", ds.GetString(DicomTags.BodyPartExamined));
                Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], ds.GetStrings(DicomTags.ImageType));
                Assert.Equal("MONOCHROME2", ds.GetString(DicomTags.PhotometricInterpretation));
                Assert.Equal(12, ds.GetInt32(DicomTags.BitsStored));
                Assert.Equal(-1024m, ds.TryGetDecimal(DicomTags.RescaleIntercept, out var intercept) ? intercept : 0);
                Assert.Contains("SYNTHETIC PHANTOM", ds.GetString(DicomTags.SeriesDescription), StringComparison.Ordinal);
                Assert.Matches("^PHANTOM\\^[0-9]{4}$", ds.GetString(DicomTags.PatientName));
                Assert.True(ds.TryGetDoubles(DicomTags.ImageOrientationPatient, out var iop));
                Assert.Equal([1.0, 0, 0, 0, 1, 0], iop);
                Assert.True(ds.TryGetDoubles(DicomTags.ImagePositionPatient, out var ipp));
                Assert.True(ds.TryGetDoubles(DicomTags.SliceLocation, out var location));
                Assert.Equal(ipp[2], location[0], 6);
                Assert.True(ds.TryGetDoubles(DicomTags.PixelSpacing, out var spacing));
                Assert.Equal(_fixture.Options.MatrixSize, ds.GetInt32(DicomTags.Rows));
                Assert.Equal(-(_fixture.Options.MatrixSize - 1) * spacing[1] / 2, ipp[0], 3);
                zs.Add(ipp[2]);
            }

            // Files are listed inferior → superior; positions step by exactly the slice thickness.
            for (int k = 1; k < zs.Count; k++)
            {
                Assert.Equal(_fixture.Options.SliceThicknessMm, zs[k] - zs[k - 1], 6);
            }

            var instances = datasets.Select(d => d.GetInt32(DicomTags.InstanceNumber)).ToList();
            Assert.Equal(Enumerable.Range(1, datasets.Count), instances.Order());
            Assert.NotEqual(Enumerable.Range(1, datasets.Count), instances);
        }
    }

    [Fact]
    public void Generate_PixelData_MatchesInMemoryStudyHu()
    {
        var study = _fixture.Generator.CreateStudy(0);
        var files = _fixture.Summary.Studies[0].Files;
        Assert.Equal(study.Slices.Count, files.Count);
        foreach (int k in new[] { 0, study.Slices.Count / 2 })
        {
            var ds = DicomFileReader.Open(Path.Combine(_fixture.Folder.Path, files[k])).Dataset;
            Assert.True(ds.TryGetElement(DicomTags.PixelData, out var pixels));
            var span = pixels.Value.Span;
            var hu = study.Slices[k].Hu;
            Assert.Equal(hu.Length * 2, span.Length);
            for (int i = 0; i < hu.Length; i += 7)
            {
                Assert.Equal(CtSliceDatasetBuilder.ToStored(hu[i]), BinaryPrimitives.ReadUInt16LittleEndian(span[(i * 2)..]));
            }
        }
    }

    [Theory]
    [InlineData(-2000f, 0)]
    [InlineData(-1024f, 0)]
    [InlineData(40.4f, 1064)]
    [InlineData(40.6f, 1065)]
    [InlineData(5000f, 4095)]
    public void ToStored_HuValue_RoundedAndClamped(float hu, int expected)
    {
        Assert.Equal(expected, CtSliceDatasetBuilder.ToStored(hu));
    }

    [SkippableFact]
    public void Generate_EveryFile_DcmdumpAccepts()
    {
        var dcmdump = ExternalTool.Require("dcmdump");
        foreach (var file in _fixture.DicomFiles)
        {
            var (exit, stdout, stderr) = ExternalTool.Run(dcmdump, ["-dc", "-E", file]);
            Assert.True(exit == 0, $"{file}: dcmdump exit {exit}: {stderr}");
            Assert.DoesNotContain("E:", stderr, StringComparison.Ordinal);
            Assert.Contains("CTImageStorage", stdout, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void Generate_EveryFile_DciodvfyReportsNoErrorsOrWarnings()
    {
        var dciodvfy = ExternalTool.Require("dciodvfy");
        foreach (var file in _fixture.DicomFiles)
        {
            var (_, stdout, stderr) = ExternalTool.Run(dciodvfy, [file]);
            var text = stdout + stderr;
            Assert.Contains("CTImage", text, StringComparison.Ordinal);
            var problems = text.Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal)).ToList();
            Assert.True(problems.Count == 0, $"{file}:\n{string.Join('\n', problems)}");
        }
    }
}
