using Headsup.Phantom.Lesions;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Tests.Lesions;

/// <summary>Bleed mimics: physiological calcifications drawn into a negative slice (issue 12's hard negatives).</summary>
public sealed class CalcificationInserterTests
{
    [Fact]
    public void Insert_ManySeeds_DrawsEverySite_BrightInsideTheSkull_InputUntouched()
    {
        var (grid, hu, mask) = NoisySlice.Value;
        var before = (float[])hu.Clone();
        var sites = new HashSet<CalcificationSite>();
        for (int seed = 0; seed < 40; seed++)
        {
            var result = CalcificationInserter.Insert(hu, grid, mask, new Random(seed));
            Assert.True(result.Inserted, $"seed {seed}: nothing placed");
            sites.Add(result.Site!.Value);
            int count = 0;
            double mean = 0;
            float max = float.MinValue;
            for (int i = 0; i < hu.Length; i++)
            {
                if (mask[i] == 0)
                {
                    Assert.Equal(hu[i], result.Hu[i]); // nothing outside the skull changes
                }

                if (result.Mask[i] != 0)
                {
                    Assert.NotEqual(0, mask[i]);
                    count++;
                    mean += result.Hu[i];
                    max = Math.Max(max, result.Hu[i]);
                }
                else if (result.Hu[i] != hu[i])
                {
                    Assert.True(result.Hu[i] > hu[i], "partial volume only brightens"); // the edge, covered < half
                }
            }

            mean /= count;
            // Half-covered pixels blend ≥ 110 HU with tissue; the core is calcium, well above blood (50–90 HU).
            Assert.True(max >= 110, $"seed {seed} ({result.Site}): brightest pixel {max:F0} HU");
            Assert.True(mean >= 75, $"seed {seed} ({result.Site}): mean {mean:F0} HU over {count} px");
            // Small foci: at most a few hundred square millimetres, never a bleed-sized region.
            Assert.InRange(count * grid.PixelSpacingMm * grid.PixelSpacingMm, 0.2, 250);
        }

        Assert.Equal(before, hu);
        Assert.Equal(Enum.GetValues<CalcificationSite>().ToHashSet(), sites);
    }

    [Fact]
    public void Insert_SameSeed_SameResult_OtherSeed_Differs()
    {
        var (grid, hu, mask) = NoisySlice.Value;
        var a = CalcificationInserter.Insert(hu, grid, mask, new Random(11));
        var b = CalcificationInserter.Insert(hu, grid, mask, new Random(11));
        var c = CalcificationInserter.Insert(hu, grid, mask, new Random(12));
        Assert.Equal(a.Hu, b.Hu);
        Assert.Equal(a.Mask, b.Mask);
        Assert.Equal(a.Site, b.Site);
        Assert.NotEqual(a.Mask, c.Mask);
    }

    [Fact]
    public void Insert_NoIntracranialSpace_InsertsNothing()
    {
        var grid = new SliceGrid(64, 64, 1);
        var hu = Enumerable.Repeat(-1000f, grid.Length).ToArray();
        var result = CalcificationInserter.Insert(hu, grid, new byte[grid.Length], new Random(1));
        Assert.False(result.Inserted);
        Assert.Null(result.Site);
        Assert.Equal(hu, result.Hu);
        Assert.All(result.Mask, m => Assert.Equal(0, m));
    }

    [Fact]
    public void WeightedDraw_FollowsTheWeights_AndNeverDrawsAZeroWeight()
    {
        var random = new Random(5);
        var counts = new int[4];
        double[] weights = [1, 0, 3, 0];
        for (int i = 0; i < 4000; i++)
        {
            counts[WeightedDraw.Index(weights, random)]++;
        }

        Assert.Equal(0, counts[1]);
        Assert.Equal(0, counts[3]);
        Assert.InRange(counts[2] / (double)counts[0], 2.5, 3.6);
        Assert.Throws<ArgumentException>(() => WeightedDraw.Index([0, 0], random));
    }
}
