using Headsup.Phantom.Anatomy;

namespace Headsup.Phantom.Tests.Anatomy;

public sealed class HeadSliceRendererTests
{
    private static readonly Lazy<PhantomStudy> s_study = new(() =>
        new PhantomGenerator(new PhantomOptions { Seed = 21, SliceCount = 10, Hemorrhage = HemorrhageMode.None }).CreateStudy(0));

    /// <summary>Mean HU over pixels of a tissue whose neighbourhood is the same tissue (little partial volume).</summary>
    private static (double Mean, int Count) InteriorMean(PhantomSlice slice, int size, TissueClass tissue)
    {
        int radius = tissue == TissueClass.CorticalBone ? 1 : 2;
        double sum = 0;
        int n = 0;
        for (int r = 2; r < size - 2; r++)
        {
            for (int c = 2; c < size - 2; c++)
            {
                int i = (r * size) + c;
                if (slice.Tissue[i] != tissue)
                {
                    continue;
                }

                bool interior = true;
                for (int dr = -radius; dr <= radius && interior; dr++)
                {
                    for (int dc = -radius; dc <= radius; dc++)
                    {
                        if (slice.Tissue[i + (dr * size) + dc] != tissue)
                        {
                            interior = false;
                            break;
                        }
                    }
                }

                if (interior)
                {
                    sum += slice.Hu[i];
                    n++;
                }
            }
        }

        return (n == 0 ? double.NaN : sum / n, n);
    }

    [Theory]
    [InlineData(TissueClass.Air, -1010, -990)]
    [InlineData(TissueClass.Fat, -120, -80)]
    [InlineData(TissueClass.CorticalBone, 700, 1500)]
    [InlineData(TissueClass.Diploe, 300, 800)]
    [InlineData(TissueClass.GrayMatter, 33, 42)]
    [InlineData(TissueClass.WhiteMatter, 22, 32)]
    [InlineData(TissueClass.Ventricle, 0, 15)]
    public void Render_MidLevelSlices_TissueMeanHuInRange(TissueClass tissue, double low, double high)
    {
        var study = s_study.Value;
        double sum = 0;
        int count = 0;
        foreach (var slice in study.Slices.Skip(3).Take(4))
        {
            var (mean, n) = InteriorMean(slice, study.Grid.Columns, tissue);
            if (n > 0)
            {
                sum += mean * n;
                count += n;
            }
        }

        Assert.True(count > 50, $"{tissue}: only {count} interior pixels");
        double average = sum / count;
        Assert.InRange(average, low, high);
    }

    [Fact]
    public void Render_MidLevelSlice_GrayBrighterThanWhiteAndCsfDarkest()
    {
        var study = s_study.Value;
        var slice = study.Slices[5];
        int size = study.Grid.Columns;
        var gray = InteriorMean(slice, size, TissueClass.GrayMatter).Mean;
        var white = InteriorMean(slice, size, TissueClass.WhiteMatter).Mean;
        Assert.InRange(gray - white, 5, 14);
        Assert.True(study.Head.CsfHu < white);
    }

    [Fact]
    public void Render_AirRegion_NoiseStdMatchesHead()
    {
        var study = s_study.Value;
        var slice = study.Slices[5];
        int size = study.Grid.Columns;
        var values = new List<double>();
        for (int r = 0; r < 40; r++)
        {
            for (int c = 0; c < 40; c++)
            {
                values.Add(slice.Hu[(r * size) + c]);
            }
        }

        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        Assert.InRange(std, study.Head.NoiseStdHu * 0.8, study.Head.NoiseStdHu * 1.2);
        Assert.InRange(study.Head.NoiseStdHu, 4, 8);
    }

    [Fact]
    public void Render_SkullBaseToVertex_IntracranialAreaPeaksInMiddle()
    {
        var study = s_study.Value;
        var areas = study.Slices.Select(s => s.Tissue.Count(t => t.IsIntracranial())).ToList();
        int peak = areas.IndexOf(areas.Max());
        Assert.InRange(peak, 2, areas.Count - 3);
        Assert.True(areas[^1] < areas[peak] * 0.8);
        Assert.True(areas[0] < areas[peak] * 0.8);
    }
}
