using Headsup.Series.Grouping;
using Headsup.Series.Sorting;
using Xunit;

namespace Headsup.Series.Tests.Sorting;

public class SliceSorterTests
{
    [Fact]
    public void Sort_ShuffledFileNames_SameOrderEveryTime()
    {
        var spec = new SeriesSpec { PositionsMm = Enumerable.Range(0, 20).Select(i => -40.0 + i * 2.5).ToArray() };
        var expected = spec.PositionsMm.Select((_, i) => spec.SopUid(i)).ToArray();
        for (int seed = 1; seed <= 8; seed++)
        {
            var permutation = Enumerable.Range(0, spec.PositionsMm.Count).ToArray();
            new Random(seed).Shuffle(permutation);
            var sorted = SliceSorter.Sort(spec.ToSeries(i => $"f{permutation[i]:000}.dcm"));

            Assert.Equal(expected, sorted.Slices.Select(s => s.Instance.SopInstanceUid));
            Assert.Empty(sorted.Problems);
            Assert.Equal(2.5, sorted.SliceSpacingMm!.Value, 6);
        }
    }

    [Fact]
    public void Sort_PositionsReversedAgainstInstanceNumber_OrdersByPositionAlongNormal()
    {
        var spec = new SeriesSpec { PositionsMm = Enumerable.Range(0, 12).Select(i => 100.0 - i * 5).ToArray() };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        Assert.Equal(SliceOrdering.Position, sorted.Ordering);
        Assert.Equal(spec.PositionsMm.Order(), sorted.PositionsMm);
        Assert.Equal(12, sorted.Slices[0].Instance.InstanceNumber);
    }

    [Fact]
    public void Sort_SagittalStack_OrdersAlongRowCrossColumn()
    {
        // Row (0,1,0) × column (0,0,-1) = (-1,0,0): positions along -X.
        var spec = new SeriesSpec { Orientation = SeriesSpec.Sagittal, PositionsMm = [3, 1, 2, 0, 4] };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        Assert.Equal([0.0, 1, 2, 3, 4], sorted.PositionsMm.Select(z => Math.Round(z - sorted.PositionsMm[0], 6)));
        Assert.Equal(-1, sorted.Orientation!.Normal.X, 9);
        var xs = sorted.Slices.Select(s => s.Instance.ImagePositionPatientMm!.Value.X).ToArray();
        Assert.Equal(xs.OrderDescending(), xs);
    }

    [Fact]
    public void Sort_SameSopInstanceTwice_KeepsOneAndReportsDuplicateInstance()
    {
        var spec = new SeriesSpec();
        var series = spec.ToSeries();
        var copy = series.Instances[3] with { Source = new Headsup.Series.Sources.FileDicomSource("/nonexistent/zz-copy.dcm", "zz-copy.dcm") };
        var sorted = SliceSorter.Sort(new DicomSeries(series.StudyInstanceUid, series.SeriesInstanceUid, [.. series.Instances, copy]));

        Assert.Equal(spec.PositionsMm.Count, sorted.Slices.Count);
        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.DuplicateInstance, problem.Kind);
        Assert.Contains("zz-copy.dcm", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_TwoSlicesAtSamePosition_KeepsOneAndReportsDuplicatePosition()
    {
        var spec = new SeriesSpec { PositionsMm = [0, 5, 10, 10, 15, 20, 25, 30, 35, 40, 45] };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        Assert.Equal(10, sorted.Slices.Count);
        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.DuplicatePosition, problem.Kind);
        Assert.Contains("z = 10 mm", problem.Message, StringComparison.Ordinal);
        Assert.Equal(5, sorted.SliceSpacingMm);
    }

    [Fact]
    public void Sort_MissingSlices_ReportsGapWithPositions()
    {
        var spec = new SeriesSpec { PositionsMm = [0, 5, 10, 15, 30, 35, 40, 45, 50, 55] };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.Gap, problem.Kind);
        Assert.Contains("between z = 15 mm", problem.Message, StringComparison.Ordinal);
        Assert.Contains("and z = 30 mm", problem.Message, StringComparison.Ordinal);
        Assert.Contains("about 2 slice(s) missing", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_SpacingBelowGapFactor_ReportsNoGap()
    {
        var spec = new SeriesSpec { PositionsMm = [0, 5, 10, 17, 22, 27, 32] };
        Assert.DoesNotContain(SliceSorter.Sort(spec.ToSeries()).Problems, p => p.Kind == SeriesProblemKind.Gap);
    }

    [Fact]
    public void Sort_OneSliceWithOtherOrientation_ReportsInconsistentOrientation()
    {
        var axial = new SeriesSpec().ToSeries();
        var odd = new SeriesSpec { Orientation = [1, 0, 0, 0, 0.9848, -0.1736], SeriesUid = "1.2.826.0.1.3680043.9.1.1.1" }.ToSeries(i => $"t{i:000}.dcm").Instances[0]
            with { SopInstanceUid = "1.2.3.999" };
        var sorted = SliceSorter.Sort(new DicomSeries(axial.StudyInstanceUid, axial.SeriesInstanceUid, [.. axial.Instances, odd]));

        Assert.Contains(sorted.Problems, p => p.Kind == SeriesProblemKind.InconsistentOrientation && p.Message.Contains("t000.dcm", StringComparison.Ordinal));
        Assert.Equal(0, sorted.Orientation!.AngleFromAxialDegrees, 6);
    }

    [Fact]
    public void Sort_OneSliceWithOtherPixelSpacing_ReportsInconsistentPixelSpacing()
    {
        var series = new SeriesSpec().ToSeries();
        var odd = series.Instances[5] with { PixelSpacing = new PixelSpacingMm(0.7, 0.7) };
        var instances = series.Instances.ToArray();
        instances[5] = odd;
        var sorted = SliceSorter.Sort(new DicomSeries(series.StudyInstanceUid, series.SeriesInstanceUid, instances));

        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.InconsistentPixelSpacing, problem.Kind);
        Assert.Equal(new PixelSpacingMm(0.5, 0.5), sorted.PixelSpacing);
    }

    [Fact]
    public void Sort_TiltedPlane_ReportsObliqueWithAngle()
    {
        // Column cosine tilted 20° about X: the normal is 20° from patient Z.
        double c = Math.Cos(20 * Math.PI / 180), s = Math.Sin(20 * Math.PI / 180);
        var spec = new SeriesSpec { Orientation = [1, 0, 0, 0, c, -s] };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.Oblique, problem.Kind);
        Assert.Equal(20, sorted.Orientation!.AngleFromAxialDegrees, 3);
        Assert.Contains("20°", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sort_PositionsShearedOffNormal_ReportsGantryTilt()
    {
        // Axial orientation, but each slice steps 1 mm in Y per 5 mm in Z (about 11° of gantry tilt).
        var spec = new SeriesSpec { ShearPerSliceMm = new Vector3D(0, 1, 0) };
        var sorted = SliceSorter.Sort(spec.ToSeries());

        var problem = Assert.Single(sorted.Problems);
        Assert.Equal(SeriesProblemKind.GantryTilt, problem.Kind);
        Assert.Equal(Math.Atan(1 / 5.0) * 180 / Math.PI, sorted.TiltDegrees!.Value, 6);
    }

    [Fact]
    public void Sort_NoPositions_FallsBackToInstanceNumberWithWarning()
    {
        var spec = new SeriesSpec { WritePositions = false };
        var sorted = SliceSorter.Sort(spec.ToSeries(i => $"x{11 - i:00}.dcm"));

        Assert.Equal(SliceOrdering.InstanceNumber, sorted.Ordering);
        Assert.Equal(Enumerable.Range(1, 12), sorted.Slices.Select(s => s.Instance.InstanceNumber!.Value));
        Assert.Empty(sorted.PositionsMm);
        Assert.Null(sorted.SliceSpacingMm);
        Assert.Equal(SeriesProblemKind.SortedByInstanceNumber, Assert.Single(sorted.Problems).Kind);
    }

    [Fact]
    public void Sort_SomePositionsMissing_LeavesThoseOutAndReports()
    {
        var series = new SeriesSpec().ToSeries();
        var instances = series.Instances.ToArray();
        instances[4] = instances[4] with { ImagePositionPatientMm = null };
        var sorted = SliceSorter.Sort(new DicomSeries(series.StudyInstanceUid, series.SeriesInstanceUid, instances));

        Assert.Equal(11, sorted.Slices.Count);
        Assert.Contains(sorted.Problems, p => p.Kind == SeriesProblemKind.MissingPosition && p.Message.Contains("s004.dcm", StringComparison.Ordinal));
        Assert.Contains(sorted.Problems, p => p.Kind == SeriesProblemKind.Gap);
    }
}
