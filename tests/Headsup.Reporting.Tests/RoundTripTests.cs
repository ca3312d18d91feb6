using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Reporting.Tests;

/// <summary>The written files, re-read with the project's own reader, carry the study context, the new series, the pixels and the flags.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string> Sources() => ConformanceTests.Sources();

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void Save_Source_ReaderFindsStudyPatientAndNewSeries(string sourceName)
    {
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.Source(sourceName), temp.Path);
        var source = outputs.Source;
        var sc = DicomFileReader.Open(outputs.ScPath);
        var sr = DicomFileReader.Open(outputs.SrPath);
        foreach (var (file, series) in new[] { (sc, outputs.ScSeries), (sr, outputs.SrSeries) })
        {
            var ds = file.Dataset;
            Assert.Equal(TransferSyntax.ExplicitVRLittleEndian.Uid, file.TransferSyntax.Uid);
            Assert.Equal(source.GetString(DicomTags.StudyInstanceUID), ds.GetString(DicomTags.StudyInstanceUID));
            foreach (var tag in new[] { DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyDate, DicomTags.AccessionNumber })
            {
                Assert.True(ds.Contains(tag), $"{sourceName}: {DicomDictionary.Keyword(tag)} missing (Type 2)");
                Assert.Equal(source.GetStringOrDefault(tag), ds.GetStringOrDefault(tag));
            }

            Assert.Equal(series.SeriesInstanceUid, ds.GetString(DicomTags.SeriesInstanceUID));
            Assert.NotEqual(source.GetString(DicomTags.SeriesInstanceUID), ds.GetString(DicomTags.SeriesInstanceUID));
            Assert.NotEqual(source.GetString(DicomTags.SOPInstanceUID), ds.GetString(DicomTags.SOPInstanceUID));
            Assert.Equal(ds.GetString(DicomTags.SOPInstanceUID), file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
            Assert.Contains(DerivedSeries.NotForDiagnosticUse, ds.GetString(DicomTags.SeriesDescription), StringComparison.Ordinal);
            Assert.Equal("ISO_IR 192", ds.GetString(DicomTags.SpecificCharacterSet));
            Assert.True(ds.TryGetFirstItem(DicomTags.ContributingEquipmentSequence, out var equipment));
            Assert.Equal(ReportingFixtures.Algorithm.Name, equipment.GetString(DicomTags.ManufacturerModelName));
            Assert.Equal(ReportingFixtures.Algorithm.Version, equipment.GetString(DicomTags.SoftwareVersions));
            Assert.Equal(ReportingFixtures.Algorithm.WeightsSha256, equipment.GetString(DicomTags.DeviceSerialNumber));
            Assert.True(equipment.TryGetFirstItem(DicomTags.PurposeOfReferenceCodeSequence, out var purpose));
            Assert.Equal("109102", purpose.GetString(DicomTags.CodeValue));
        }

        Assert.NotEqual(outputs.ScSeries.SeriesInstanceUid, outputs.SrSeries.SeriesInstanceUid);
    }

    [Fact]
    public void Save_GeneratedLatin1Source_PatientNameReencodedAsUtf8()
    {
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.GeneratedSource(), temp.Path);
        var ds = DicomFileReader.Open(outputs.ScPath).Dataset;
        Assert.Equal("M\u00fcller^J\u00fcrgen", ds.GetString(DicomTags.PatientName));
        Assert.True(ds.TryGetElement(DicomTags.PatientName, out var raw));
        Assert.Equal("M\u00fcller^J\u00fcrgen"u8.ToArray(), raw.Value.ToArray().AsSpan().TrimEnd((byte)' ').ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void SaveSc_Source_ReaderFindsPixelsAndImageAttributes(string sourceName)
    {
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.Source(sourceName), temp.Path);
        var ds = DicomFileReader.Open(outputs.ScPath).Dataset;
        Assert.Equal(DicomUid.SecondaryCaptureImageStorage, ds.GetString(DicomTags.SOPClassUID));
        Assert.Equal(["DERIVED", "SECONDARY"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("RGB", ds.GetString(DicomTags.PhotometricInterpretation));
        Assert.Equal(3, ds.GetInt32(DicomTags.SamplesPerPixel));
        Assert.Equal(0, ds.GetInt32(DicomTags.PlanarConfiguration));
        Assert.Equal(8, ds.GetInt32(DicomTags.BitsAllocated));
        Assert.Equal(outputs.Image.Rows, ds.GetInt32(DicomTags.Rows));
        Assert.Equal(outputs.Image.Columns, ds.GetInt32(DicomTags.Columns));
        Assert.Equal("YES", ds.GetString(DicomTags.BurnedInAnnotation));
        Assert.Equal("WSD", ds.GetString(DicomTags.ConversionType));
        Assert.StartsWith("NOT FOR DIAGNOSTIC USE", ds.GetString(DicomTags.ImageComments), StringComparison.Ordinal);
        Assert.True(ds.TryGetElement(DicomTags.PixelData, out var pixels));
        Assert.Equal(outputs.Image.Pixels, pixels.Value.ToArray());
        Assert.True(ds.TryGetFirstItem(DicomTags.SourceImageSequence, out var sourceRef));
        Assert.Equal(outputs.Slice.SopInstanceUid, sourceRef.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.True(ds.TryGetFirstItem(DicomTags.ReferencedImageSequence, out var imageRef));
        Assert.Equal(outputs.Slice.SopInstanceUid, imageRef.GetString(DicomTags.ReferencedSOPInstanceUID));
    }

    [Theory]
    [InlineData(false, "COMPLETE")]
    [InlineData(true, "PARTIAL")]
    public void SaveSr_Generated_ReaderFindsFlagsAndEvidence(bool partial, string completion)
    {
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.GeneratedSource(), temp.Path, partial);
        var ds = DicomFileReader.Open(outputs.SrPath).Dataset;
        Assert.Equal(DicomUid.ComprehensiveSRStorage, ds.GetString(DicomTags.SOPClassUID));
        Assert.Equal("SR", ds.GetString(DicomTags.Modality));
        Assert.Equal("UNVERIFIED", ds.GetString(DicomTags.VerificationFlag));
        Assert.Equal(completion, ds.GetString(DicomTags.CompletionFlag));
        Assert.True(ds.TryGetFirstItem(DicomTags.CurrentRequestedProcedureEvidenceSequence, out var study));
        Assert.Equal(outputs.Source.GetString(DicomTags.StudyInstanceUID), study.GetString(DicomTags.StudyInstanceUID));
        Assert.True(study.TryGetSequence(DicomTags.ReferencedSeriesSequence, out var series));
        var referenced = series.Items
            .SelectMany(s => s.TryGetSequence(DicomTags.ReferencedSOPSequence, out var sops) ? sops.Items.Select(i => (Series: s.GetString(DicomTags.SeriesInstanceUID), Sop: i.GetString(DicomTags.ReferencedSOPInstanceUID))) : [])
            .ToHashSet();
        Assert.Equal(
            new HashSet<(string, string)> { (outputs.Slice.SeriesInstanceUid, outputs.Slice.SopInstanceUid), (outputs.Capture.SeriesInstanceUid, outputs.Capture.SopInstanceUid) },
            referenced);
    }
}
