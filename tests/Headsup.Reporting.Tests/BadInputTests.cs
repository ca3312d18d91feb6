using Headsup.Dicom;
using Xunit;

namespace Headsup.Reporting.Tests;

/// <summary>Inconsistent inputs are refused with an ArgumentException that names what is wrong.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void RgbImage_WrongByteCount_ThrowsNamingPixels()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RgbImage(4, 3, new byte[4 * 3 * 3 - 1]));
        Assert.Equal("Pixels", ex.ParamName);
        Assert.Contains("35 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4 × 3 × 3 = 36", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondaryCaptureCreate_ImageResizedWithWith_ThrowsNamingPixels()
    {
        var source = ReportingFixtures.GeneratedSource();
        var image = ReportingFixtures.Pattern(8, 8) with { Rows = 9 };
        var ex = Assert.Throws<ArgumentException>(() =>
            SecondaryCaptureBuilder.Create(ReportingFixtures.Series(source, "x", 1), ReportingFixtures.Algorithm, image, 1, null));
        Assert.Contains("Pixels has 192 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(5, 70000)]
    public void RgbImage_BadDimension_Throws(int columns, int rows)
    {
        Assert.ThrowsAny<ArgumentException>(() => new RgbImage(columns, rows, []));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void AlgorithmIdentity_BadHash_ThrowsNamingWeightsSha256(string hash)
    {
        var ex = Assert.Throws<ArgumentException>(() => new AlgorithmIdentity("m", "1", hash));
        Assert.Equal("WeightsSha256", ex.ParamName);
    }

    [Theory]
    [InlineData("1.2.03")]
    [InlineData("ID_123")]
    [InlineData("")]
    public void DerivedSeries_InvalidNewSeriesUid_ThrowsNamingIt(string uid)
    {
        var ex = Assert.Throws<ArgumentException>(() => new DerivedSeries(ReportingFixtures.GeneratedSource(), uid, 1, "x", ReportingFixtures.Created));
        Assert.Equal("SeriesInstanceUid", ex.ParamName);
    }

    [Fact]
    public void Create_DescriptionTooLongOnceMarked_ThrowsNamingSeriesDescription()
    {
        var series = ReportingFixtures.Series(ReportingFixtures.GeneratedSource(), new string('d', 50), 1);
        var ex = Assert.Throws<ArgumentException>(() =>
            SecondaryCaptureBuilder.Create(series, ReportingFixtures.Algorithm, ReportingFixtures.Pattern(), 1, null));
        Assert.Equal("SeriesDescription", ex.ParamName);
    }

    [Fact]
    public void Create_SourceWithoutStudyUid_ThrowsNamingIt()
    {
        var source = ReportingFixtures.GeneratedSource();
        source.Remove(DicomTags.StudyInstanceUID);
        var ex = Assert.Throws<ArgumentException>(() =>
            StructuredReportBuilder.Create(ReportingFixtures.Series(source, "r", 2), ReportingFixtures.Algorithm, ReportingFixtures.Finding(ReportingFixtures.AsReference(ReportingFixtures.GeneratedSource())), []));
        Assert.Contains("Study Instance UID", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SourceNonAsciiInUnsupportedCharacterSet_Throws()
    {
        var source = ReportingFixtures.GeneratedSource();
        source.AddString(DicomTags.SpecificCharacterSet, "ISO 2022 IR 87");
        var ex = Assert.Throws<ArgumentException>(() =>
            SecondaryCaptureBuilder.Create(ReportingFixtures.Series(source, "x", 1), ReportingFixtures.Algorithm, ReportingFixtures.Pattern(), 1, null));
        Assert.Contains("PatientName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ISO 2022 IR 87", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void TriageFinding_ProbabilityOutOfRange_ThrowsNamingProbability(double probability)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TriageFinding(true, probability, 0.5, new Dictionary<string, double>(), [], false, null));
        Assert.Equal("Probability", ex.ParamName);
    }

    [Fact]
    public void TriageFinding_SubtypeOutOfRange_ThrowsNamingTheSubtype()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TriageFinding(true, 0.9, 0.5, new Dictionary<string, double> { ["subdural"] = 2 }, [], false, null));
        Assert.Contains("subdural", ex.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public void SopInstanceUid_Invalid_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            SecondaryCaptureBuilder.Create(ReportingFixtures.Series(ReportingFixtures.GeneratedSource(), "x", 1), ReportingFixtures.Algorithm, ReportingFixtures.Pattern(), 1, null, "1.2.x"));
        Assert.Equal("sopInstanceUid", ex.ParamName);
    }
}
