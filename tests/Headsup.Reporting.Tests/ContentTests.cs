using Headsup.Dicom;
using Xunit;

namespace Headsup.Reporting.Tests;

/// <summary>Values in the SR tree and the study-context copy that the conformance tools do not check.</summary>
public sealed class ContentTests
{
    [Fact]
    public void CreateSr_NegativeFinding_CodesAbsent()
    {
        var source = ReportingFixtures.GeneratedSource();
        var finding = ReportingFixtures.Finding(ReportingFixtures.AsReference(source)) with { Positive = false, Probability = 0.1 };
        var sr = StructuredReportBuilder.Create(ReportingFixtures.Series(source, "r", 2), ReportingFixtures.Algorithm, finding, []);
        var ich = FindingItem(sr);
        Assert.True(ich.TryGetFirstItem(DicomTags.ConceptCodeSequence, out var value));
        Assert.Equal(ReportCodes.Absent.Value, value.GetString(DicomTags.CodeValue));
        Assert.Equal("SCT", value.GetString(DicomTags.CodingSchemeDesignator));
    }

    [Fact]
    public void CreateSr_Probability_WrittenAsPercentCertainty()
    {
        var source = ReportingFixtures.GeneratedSource();
        var sr = StructuredReportBuilder.Create(ReportingFixtures.Series(source, "r", 2), ReportingFixtures.Algorithm, ReportingFixtures.Finding(ReportingFixtures.AsReference(source)), []);
        Assert.True(FindingItem(sr).TryGetSequence(DicomTags.ContentSequence, out var children));
        var certainty = children.Items.Single(i => i.GetString(DicomTags.ValueType) == "NUM");
        Assert.True(certainty.TryGetFirstItem(DicomTags.MeasuredValueSequence, out var measured));
        Assert.Equal("87.34", measured.GetString(DicomTags.NumericValue));
        Assert.True(measured.TryGetFirstItem(DicomTags.MeasurementUnitsCodeSequence, out var unit));
        Assert.Equal("%", unit.GetString(DicomTags.CodeValue));
        var parameters = children.Items.Single(i => i.TryGetFirstItem(DicomTags.ConceptNameCodeSequence, out var n) && n.GetString(DicomTags.CodeValue) == "111002");
        Assert.Contains("decision threshold 50 %", parameters.GetString(DicomTags.TextValue), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSc_IdentityRemovedWithoutMethod_WritesMethodStatement()
    {
        var source = ReportingFixtures.GeneratedSource();
        source.AddString(DicomTags.PatientIdentityRemoved, "YES");
        var sc = SecondaryCaptureBuilder.Create(ReportingFixtures.Series(source, "x", 1), ReportingFixtures.Algorithm, ReportingFixtures.Pattern(), 1, null);
        Assert.Equal("YES", sc.GetString(DicomTags.PatientIdentityRemoved));
        Assert.Equal(SourceModulesText.Unrecorded, sc.GetString(DicomTags.DeidentificationMethod));
        Assert.False(sc.Contains(DicomTags.SourceImageSequence));
    }

    [Fact]
    public void MarkedSeriesDescription_AlreadyMarked_Unchanged()
    {
        var series = ReportingFixtures.Series(ReportingFixtures.GeneratedSource(), "ICH overlay (not for diagnostic use)", 3);
        Assert.Equal("ICH overlay (not for diagnostic use)", series.MarkedSeriesDescription);
    }

    [Fact]
    public void SubtypeCodes_OnlyVerifiedLabelsAreCoded()
    {
        Assert.Equal("21454007", ReportCodes.Subtype("subarachnoid")?.Value);
        Assert.Equal("274100004", ReportCodes.Subtype("Intraparenchymal")?.Value);
        Assert.Null(ReportCodes.Subtype("subdural"));
        Assert.Null(ReportCodes.Subtype("epidural"));
        Assert.Null(ReportCodes.Subtype("intraventricular"));
    }

    private static DicomDataset FindingItem(DicomDataset sr)
    {
        Assert.True(sr.TryGetSequence(DicomTags.ContentSequence, out var root));
        return root.Items.Single(i => i.GetString(DicomTags.ValueType) == "CODE");
    }

    private static class SourceModulesText
    {
        public const string Unrecorded = "de-identified upstream; method not recorded";
    }
}
