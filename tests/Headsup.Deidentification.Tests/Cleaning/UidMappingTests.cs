using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Dicom;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Cleaning;

/// <summary>UIDs are replaced consistently (keyed hash): within a file, across files and runs, and only under the same key.</summary>
public sealed class UidMappingTests : IClassFixture<SmallPhantomFixture>
{
    private readonly SmallPhantomFixture _phantom;

    public UidMappingTests(SmallPhantomFixture phantom) => _phantom = phantom;

    [Fact]
    public void DeidentifyFile_SameStudyInTwoFiles_SameNewStudySeriesAndFrameOfReferenceUids()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, _) = TestDeidentifiers.ThreeSlices();
        var a = Run(temp.Path, "a", first);
        var b = Run(temp.Path, "b", second);

        Assert.Equal(a.GetString(DicomTags.StudyInstanceUID), b.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(a.GetString(DicomTags.SeriesInstanceUID), b.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(a.GetString(DicomTags.FrameOfReferenceUID), b.GetString(DicomTags.FrameOfReferenceUID));
        Assert.NotEqual(a.GetString(DicomTags.SOPInstanceUID), b.GetString(DicomTags.SOPInstanceUID));
        Assert.NotEqual(first.StudyUid, a.GetString(DicomTags.StudyInstanceUID));
    }

    [Fact]
    public void DeidentifyFile_ReferenceToAnotherFile_PointsToThatFilesNewSopInstanceUid()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, other) = TestDeidentifiers.ThreeSlices();
        var a = Run(temp.Path, "a", first);
        var b = Run(temp.Path, "b", second);
        var c = Run(temp.Path, "c", other);
        var newFirst = a.GetString(DicomTags.SOPInstanceUID);

        foreach (var referencing in new[] { b, c })
        {
            foreach (var sequence in new[] { DicomTags.ReferencedImageSequence, DicomTags.SourceImageSequence })
            {
                Assert.True(referencing.TryGetFirstItem(sequence, out var item));
                Assert.Equal(newFirst, item.GetString(DicomTags.ReferencedSOPInstanceUID));
                Assert.Equal(DicomUid.CTImageStorage, item.GetString(DicomTags.ReferencedSOPClassUID));
            }
        }
    }

    [Fact]
    public void DeidentifyFile_DifferentKey_DifferentUidsAndPseudonym()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, _, _) = TestDeidentifiers.ThreeSlices();
        var a = Run(temp.Path, "a", first);
        var b = Run(temp.Path, "b", first, TestDeidentifiers.Create(key: TestDeidentifiers.KeyB));

        foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID, DicomTags.FrameOfReferenceUID, DicomTags.PatientID })
        {
            Assert.NotEqual(a.GetString(tag), b.GetString(tag));
        }
    }

    [Fact]
    public void DeidentifyFile_SameKeyAgain_SameOutputBytes()
    {
        using var temp = TestData.CreateTempFolder();
        var input = PhiCtBuilder.Write(Path.Combine(temp.Path, "in.dcm"), TestDeidentifiers.ThreeSlices().First);
        TestDeidentifiers.Create().DeidentifyFile(input, Path.Combine(temp.Path, "1.dcm"));
        TestDeidentifiers.Create().DeidentifyFile(input, Path.Combine(temp.Path, "2.dcm"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "1.dcm")), File.ReadAllBytes(Path.Combine(temp.Path, "2.dcm")));
    }

    [Fact]
    public void DeidentifyFile_EveryReplacedUid_IsAValid225UidMatchingMapUid()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, _, _) = TestDeidentifiers.ThreeSlices();
        var deidentifier = TestDeidentifiers.Create();
        var path = PhiCtBuilder.Write(Path.Combine(temp.Path, "in.dcm"), first);
        var result = deidentifier.DeidentifyFile(path, Path.Combine(temp.Path, "out.dcm"));
        var file = DicomFileReader.Open(result.OutputPath);
        var ds = file.Dataset;

        foreach (var (tag, original) in new[]
        {
            (DicomTags.StudyInstanceUID, first.StudyUid), (DicomTags.SeriesInstanceUID, first.SeriesUid), (DicomTags.SOPInstanceUID, first.SopUid),
            (DicomTags.FrameOfReferenceUID, first.FrameOfReferenceUid), (DicomTags.InstanceCreatorUID, "1.2.826.0.1.3680043.10.1.77.900"),
            (DicomTags.IrradiationEventUID, "1.2.826.0.1.3680043.10.1.77.902"), (DicomTags.DeviceUID, "1.2.826.0.1.3680043.10.1.77.903"),
        })
        {
            var uid = ds.GetString(tag);
            Assert.True(ActionChecker.IsUid(uid), uid);
            Assert.StartsWith("2.25.", uid, StringComparison.Ordinal);
            Assert.Equal(deidentifier.MapUid(original), uid);
        }

        Assert.Equal(ds.GetString(DicomTags.SOPInstanceUID), file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(DicomUid.CTImageStorage, ds.GetString(DicomTags.SOPClassUID));
        Assert.Equal(new DeidentifiedIds(deidentifier.PseudonymizePatientId(first.PatientId), deidentifier.MapUid(first.StudyUid), deidentifier.MapUid(first.SeriesUid), deidentifier.MapUid(first.SopUid), DicomUid.CTImageStorage, null), result.Ids);
    }

    [Fact]
    public void DeidentifyInto_PhantomStudies_LayoutKeepsEveryStudyAndSeriesTogether()
    {
        using var temp = TestData.CreateTempFolder();
        var deidentifier = TestDeidentifiers.Create();
        var originals = _phantom.Files.Select(f => DicomFileReader.Open(f).Dataset).ToList();
        var results = _phantom.Files.Select(f => deidentifier.DeidentifyInto(f, temp.Path)).ToList();

        Assert.Equal(originals.Select(o => o.GetString(DicomTags.StudyInstanceUID)).Distinct().Count(), results.Select(r => r.Ids.StudyInstanceUid).Distinct().Count());
        Assert.Equal(originals.Select(o => o.GetString(DicomTags.SeriesInstanceUID)).Distinct().Count(), results.Select(r => r.Ids.SeriesInstanceUid).Distinct().Count());
        Assert.Equal(results.Count, results.Select(r => r.Ids.SopInstanceUid).Distinct().Count());
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            Assert.Equal(Path.Combine(temp.Path, r.Ids.StudyInstanceUid, r.Ids.SeriesInstanceUid, r.Ids.SopInstanceUid + ".dcm"), r.OutputPath);
            Assert.True(File.Exists(r.OutputPath));
            Assert.Equal(deidentifier.MapUid(originals[i].GetString(DicomTags.StudyInstanceUID)), r.Ids.StudyInstanceUid);
        }

        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void DeidentifyFile_SamePatient_SamePseudonymAsIdAndFamilyName()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, other) = TestDeidentifiers.ThreeSlices();
        var a = Run(temp.Path, "a", first);
        var b = Run(temp.Path, "b", second);
        var c = Run(temp.Path, "c", other);

        var pseudonym = a.GetString(DicomTags.PatientID);
        Assert.Matches("^ANON-[0-9A-F]{16}$", pseudonym);
        Assert.Equal(pseudonym + "^", a.GetString(DicomTags.PatientName));
        Assert.Equal(pseudonym, b.GetString(DicomTags.PatientID));
        Assert.NotEqual(pseudonym, c.GetString(DicomTags.PatientID));
        Assert.Equal(TestDeidentifiers.Create().PseudonymizePatientId(first.PatientId), pseudonym);
    }

    private static DicomDataset Run(string folder, string name, PhiSlice slice, Deidentifier? deidentifier = null)
    {
        var input = PhiCtBuilder.Write(Path.Combine(folder, name + "-in.dcm"), slice);
        var output = Path.Combine(folder, name + "-out.dcm");
        (deidentifier ?? TestDeidentifiers.Create()).DeidentifyFile(input, output);
        return DicomFileReader.Open(output).Dataset;
    }
}
