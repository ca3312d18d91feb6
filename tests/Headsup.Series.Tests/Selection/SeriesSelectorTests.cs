using Headsup.Dicom;
using Headsup.Series.Grouping;
using Headsup.Series.Selection;
using Xunit;

namespace Headsup.Series.Tests.Selection;

public class SeriesSelectorTests
{
    private static readonly SeriesSelector s_selector = new();

    private static DicomStudy Study(params SeriesSpec[] specs)
    {
        var headers = specs.SelectMany((spec, n) => spec.ToSeries(i => $"series{n}/s{i:000}.dcm").Instances);
        return StudyGrouper.Group(headers).Single();
    }

    private static SeriesSpec Good(int number) => new() { SeriesUid = "1.2.826.0.1.3680043.9.1.1." + number, SeriesNumber = number };

    private static RejectedSeries RejectedWith(SeriesSelection selection, int seriesNumber) =>
        selection.Rejected.Single(r => r.Series.Series.SeriesNumber == seriesNumber);

    [Fact]
    public void Select_StandardAxialHeadSeries_ChosenByMostPreferredRule()
    {
        var selection = s_selector.Select(Study(Good(2)));

        Assert.True(selection.HasSelection);
        Assert.Equal("axial-head-ct-standard-soft-kernel", selection.SelectedByRule);
        Assert.Equal(12, selection.Selected!.Slices.Count);
        Assert.Empty(selection.Rejected);
        Assert.Contains("preference 1 of 4", selection.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_ThinAndThickSeries_ChoosesThickStandardReconstruction()
    {
        var thin = Good(3) with { SliceThicknessMm = 0.625, PositionsMm = Enumerable.Range(0, 96).Select(i => i * 0.625).ToArray(), SeriesDescription = "HEAD 0.625" };
        var thick = Good(2) with { SliceThicknessMm = 5, PositionsMm = Enumerable.Range(0, 12).Select(i => i * 5.0).ToArray() };
        var selection = s_selector.Select(Study(thin, thick));

        Assert.Equal(2, selection.Selected!.Series.SeriesNumber);
        var rejected = RejectedWith(selection, 3);
        Assert.Contains(rejected.Reasons, r => r.Condition == "standard-thickness" && r.Why.Contains("0.625", StringComparison.Ordinal));
        Assert.Contains(rejected.Reasons, r => r.Condition == SelectionReason.Outranked && r.Rule == "axial-head-ct-not-sharp");
    }

    [Fact]
    public void Select_TwoSeriesMeetSameRule_MostSlicesWins()
    {
        var longer = Good(4) with { PositionsMm = Enumerable.Range(0, 30).Select(i => i * 5.0).ToArray() };
        var selection = s_selector.Select(Study(Good(2), longer));

        Assert.Equal(4, selection.Selected!.Series.SeriesNumber);
        Assert.Contains("wins the tie-break", Assert.Single(RejectedWith(selection, 2).Reasons).Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_LocalizerSeries_RejectedWithReason()
    {
        var scout = Good(1) with { ImageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"] };
        var selection = s_selector.Select(Study(scout, Good(2)));

        Assert.Equal(2, selection.Selected!.Series.SeriesNumber);
        var reason = Assert.Single(RejectedWith(selection, 1).Reasons);
        Assert.Equal("not-localizer", reason.Condition);
        Assert.Contains("LOCALIZER", reason.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OMNIPAQUE 350", "HEAD 5mm", "no-contrast-agent")]
    [InlineData(null, "HEAD C+ 5mm", "not-contrast-description")]
    [InlineData(null, "CTA HEAD", "not-contrast-description")]
    [InlineData(null, "Head with contrast", "not-contrast-description")]
    public void Select_ContrastEnhancedSeries_Rejected(string? agent, string description, string condition)
    {
        var contrast = Good(3) with { ContrastAgent = agent, SeriesDescription = description };
        var selection = s_selector.Select(Study(contrast, Good(2)));

        Assert.Equal(2, selection.Selected!.Series.SeriesNumber);
        Assert.Contains(RejectedWith(selection, 3).Reasons, r => r.Condition == condition);
    }

    [Theory]
    [InlineData("HEAD WO CONTRAST")]
    [InlineData("NON-CONTRAST HEAD")]
    [InlineData("Head without contrast")]
    [InlineData("HEAD W/O CONTRAST")]
    [InlineData("PRE CONTRAST THIN")]
    public void Select_NonContrastDescription_Accepted(string description)
    {
        var selection = s_selector.Select(Study(Good(2) with { SeriesDescription = description, ContrastAgent = "NONE" }));
        Assert.True(selection.HasSelection, string.Join("; ", selection.Rejected));
    }

    [Fact]
    public void Select_OnlyMrSeries_NoUsableSeriesWithReasons()
    {
        var mr = Good(2) with { Modality = "MR", SopClassUid = "1.2.840.10008.5.1.4.1.1.4" };
        var selection = s_selector.Select(Study(mr));

        Assert.False(selection.HasSelection);
        var reasons = Assert.Single(selection.Rejected).Reasons;
        Assert.Contains(reasons, r => r.Condition == "modality-ct" && r.Why == "Modality is 'MR', not one of 'CT'");
        Assert.Contains(reasons, r => r.Condition == "ct-image-storage");
        var error = Assert.Throws<NoUsableSeriesException>(() => selection.RequireSelected());
        Assert.Contains("modality-ct", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<DicomException>(error);
    }

    [Fact]
    public void Select_SagittalSeries_RejectedAsNotAxial()
    {
        var sagittal = Good(5) with { Orientation = SeriesSpec.Sagittal };
        var selection = s_selector.Select(Study(sagittal, Good(2)));

        var reason = Assert.Single(RejectedWith(selection, 5).Reasons);
        Assert.Equal("axial", reason.Condition);
        Assert.Contains("90° from the axial axis", reason.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_TiltedAxialWithinLimit_Accepted()
    {
        double c = Math.Cos(12 * Math.PI / 180), s = Math.Sin(12 * Math.PI / 180);
        var selection = s_selector.Select(Study(Good(2) with { Orientation = [1, 0, 0, 0, c, -s] }));

        Assert.True(selection.HasSelection);
        Assert.Contains(selection.Selected!.Problems, p => p.Kind == Headsup.Series.Sorting.SeriesProblemKind.Oblique);
    }

    [Fact]
    public void Select_TiltedBeyondLimit_RejectedAsNotAxial()
    {
        double c = Math.Cos(40 * Math.PI / 180), s = Math.Sin(40 * Math.PI / 180);
        var selection = s_selector.Select(Study(Good(2) with { Orientation = [1, 0, 0, 0, c, -s] }));

        Assert.False(selection.HasSelection);
        Assert.Contains(selection.Rejected[0].Reasons, r => r.Condition == "axial" && r.Why.Contains("40°", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2.5/5mm", true)]
    [InlineData("CHEST 5mm", false)]
    public void Select_NoBodyPartAndNoAnatomyInDescriptions_AcceptedUnlessOtherRegionNamed(string description, bool accepted)
    {
        var spec = Good(2) with { BodyPart = string.Empty, StudyDescription = string.Empty, SeriesDescription = description };
        var selection = s_selector.Select(Study(spec));

        Assert.Equal(accepted, selection.HasSelection);
    }

    [Fact]
    public void Select_TooFewSlices_Rejected()
    {
        var selection = s_selector.Select(Study(Good(2) with { PositionsMm = [0, 5, 10, 15, 20] }));

        Assert.False(selection.HasSelection);
        Assert.Contains(selection.Rejected[0].Reasons, r => r.Condition == "min-slices" && r.Why == "SliceCount is 5, below the minimum 10");
    }

    [Fact]
    public void Select_AbdomenSeries_RejectedAsNotHead()
    {
        var abdomen = Good(2) with { BodyPart = "ABDOMEN", StudyDescription = "CT ABDOMEN", SeriesDescription = "ABD 5mm" };
        var selection = s_selector.Select(Study(abdomen));

        Assert.False(selection.HasSelection);
        Assert.Contains(selection.Rejected[0].Reasons, r => r.Condition == "head");
    }

    [Fact]
    public void Select_BoneKernelAndSoftKernel_ChoosesSoftKernel()
    {
        var bone = Good(3) with { Kernel = "H70h", PositionsMm = Enumerable.Range(0, 30).Select(i => i * 5.0).ToArray() };
        var selection = s_selector.Select(Study(bone, Good(2)));

        Assert.Equal(2, selection.Selected!.Series.SeriesNumber);
        Assert.Contains(RejectedWith(selection, 3).Reasons, r => r.Condition == "soft-tissue-kernel");
    }

    [Fact]
    public void Select_InconsistentPixelSpacing_Rejected()
    {
        var study = Study(Good(2));
        var series = study.Series[0];
        var instances = series.Instances.Select((h, i) => i == 0 ? h with { PixelSpacing = new PixelSpacingMm(0.9, 0.9) } : h).ToArray();
        var broken = new DicomStudy(study.StudyInstanceUid, [new DicomSeries(series.StudyInstanceUid, series.SeriesInstanceUid, instances)]);

        var selection = s_selector.Select(broken);

        Assert.False(selection.HasSelection);
        Assert.Contains(selection.Rejected[0].Reasons, r => r.Condition == "consistent-geometry");
    }

    [Fact]
    public void Select_StudyWithoutSeries_NoSelectionAndNoRejections()
    {
        var selection = s_selector.Select(new DicomStudy("1.2.3", []));

        Assert.False(selection.HasSelection);
        Assert.Empty(selection.Rejected);
    }
}
