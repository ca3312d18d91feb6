using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Series.Grouping;
using Headsup.Series.Sources;
using Xunit;

namespace Headsup.Series.Tests.Grouping;

public class InstanceHeaderReaderTests
{
    [Fact]
    public void Read_SyntheticSlice_CopiesEveryAttribute()
    {
        var spec = new SeriesSpec { ContrastAgent = "IODINE", PositionsMm = [0, 5, 10, 15] };
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, spec.Slice(2), TransferSyntax.ExplicitVRLittleEndian);
        var file = DicomFileReader.Parse(stream.ToArray(), "s.dcm");

        var header = InstanceHeaderReader.Read(file, new FileDicomSource("/nonexistent/s.dcm", "s.dcm"));

        Assert.Equal(spec.StudyUid, header.StudyInstanceUid);
        Assert.Equal(spec.SeriesUid, header.SeriesInstanceUid);
        Assert.Equal(spec.SopUid(2), header.SopInstanceUid);
        Assert.Equal(DicomUid.CTImageStorage, header.SopClassUid);
        Assert.Equal("CT", header.Modality);
        Assert.Equal(3, header.InstanceNumber);
        Assert.Equal(2, header.SeriesNumber);
        Assert.Equal(new Vector3D(-120, -130, 10), header.ImagePositionPatientMm);
        Assert.Equal(new Vector3D(0, 0, 1), header.ImageOrientationPatient!.Normal);
        Assert.Equal(new PixelSpacingMm(0.5, 0.5), header.PixelSpacing);
        Assert.Equal(5, header.SliceThicknessMm);
        Assert.Equal((8, 8), (header.Rows!.Value, header.Columns!.Value));
        Assert.Equal(1, header.NumberOfFrames);
        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], header.ImageType);
        Assert.Equal("HEAD", header.BodyPartExamined);
        Assert.Equal("CT HEAD WO CONTRAST", header.StudyDescription);
        Assert.Equal("HEAD 5mm", header.SeriesDescription);
        Assert.Equal("IODINE", header.ContrastBolusAgent);
        Assert.Equal("H30s", header.ConvolutionKernel);
        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian.Uid, header.TransferSyntaxUid);
    }

    [Theory]
    [InlineData(new double[] { 1, 0, 0, 0, 1 })]
    [InlineData(new double[] { 0, 0, 0, 0, 1, 0 })]
    [InlineData(new double[] { 1, 0, 0, 1, 0, 0 })]
    public void TryCreate_InvalidOrientation_ReturnsFalse(double[] values)
    {
        Assert.False(ImageOrientation.TryCreate(values, out _));
    }
}
