using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

public sealed class XraiTests
{
    /// <summary>
    /// The counterexample to "gains never increase in the order regions are added" (see <see cref="Xrai"/>): pixel
    /// blocks a (10), b (0), c (12) of 60 pixels, masks r = a ∪ b (mean 5) and s = b ∪ c (mean 6). Both variants add s
    /// first (gain 6); r then adds only a, whose gain 10 is higher. The ranks sort by gain, as the reference does: a is
    /// rank 1, b ∪ c rank 2.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rank_LaterAddedRegionCanGainMore_RanksSortByGain(bool fast)
    {
        var attribution = Block(60, 10f).Concat(Block(60, 0f)).Concat(Block(60, 12f)).ToArray();
        int[] r = [.. Enumerable.Range(0, 120)];
        int[] s = [.. Enumerable.Range(60, 120)];
        var ranking = Xrai.Rank(attribution, [r, s], fast);
        Assert.Equal([6.0, 10.0], ranking.AdditionGains);
        Assert.Equal([new XraiRegion(1, 10, 60), new XraiRegion(2, 6, 120)], ranking.Regions);
        Assert.False(ranking.HasRemainder);
        Assert.All(Enumerable.Range(0, 60), p => Assert.Equal((10f, 1), (ranking.Heatmap[p], ranking.Ranks[p])));
        Assert.All(Enumerable.Range(60, 120), p => Assert.Equal((6f, 2), (ranking.Heatmap[p], ranking.Ranks[p])));
    }

    /// <summary>
    /// Pixels no mask adds (here a 30-pixel mask, under the 50-pixel minimum) form the remainder, valued at their own
    /// mean and ranked last even when that mean is the highest: gains are non-increasing with rank only up to the
    /// remainder.
    /// </summary>
    [Fact]
    public void Rank_Remainder_IsRankedLastEvenWithTheHighestGain()
    {
        var attribution = Block(100, 1f).Concat(Block(30, 100f)).ToArray();
        var ranking = Xrai.Rank(attribution, [[.. Enumerable.Range(0, 100)], [.. Enumerable.Range(100, 30)]], fast: false);
        Assert.True(ranking.HasRemainder);
        Assert.Equal([new XraiRegion(1, 1, 100), new XraiRegion(2, 100, 30)], ranking.Regions);
        Assert.Equal(100f, ranking.Heatmap[^1]);
    }

    /// <summary>
    /// The full algorithm re-evaluates gains after each addition and the fast one does not: blocks a, b (9), c (7),
    /// d (7.9) of 60 pixels; masks m1 = a ∪ b (mean 9), m2 = b ∪ c (mean 8), m3 = d (mean 7.9). Fast walks m1, m2, m3
    /// (gains 9, 7, 7.9); full adds m1, then m3 (7.9) before what is left of m2 (c, 7).
    /// </summary>
    [Fact]
    public void Rank_FullReevaluatesGainsAfterEachAddition_FastDoesNot()
    {
        var attribution = Block(60, 9f).Concat(Block(60, 9f)).Concat(Block(60, 7f)).Concat(Block(60, 7.9f)).ToArray();
        int[][] masks = [[.. Enumerable.Range(0, 120)], [.. Enumerable.Range(60, 120)], [.. Enumerable.Range(180, 60)]];
        Assert.Equal([9, 7, 7.9], Xrai.Rank(attribution, masks, fast: true).AdditionGains.Select(g => Math.Round(g, 6)));
        Assert.Equal([9, 7.9, 7], Xrai.Rank(attribution, masks, fast: false).AdditionGains.Select(g => Math.Round(g, 6)));
    }

    /// <summary>
    /// The invariants on real segments of a structured image and a smooth random attribution field: every pixel ranked,
    /// ranks 1..N contiguous, each region's pixels all hold its gain, pixel counts add up, the heatmap sums to the
    /// attribution sum, and gains never increase with rank before the remainder.
    /// </summary>
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void Rank_OnSegmentsOfAnImage_KeepsTheInvariants(bool fast, int seed)
    {
        const int size = 96;
        var image = FelzenszwalbTests.Scene(size, size, 1, seed, levels: 0);
        var attribution = SmoothField(size, seed);
        var masks = Xrai.Segments(image, 1, size, size);
        Assert.All(masks, m => Assert.Equal(m.Order(), m));
        var ranking = Xrai.Rank(attribution, masks, fast);
        AssertRegionInvariants(ranking.Heatmap, ranking.Ranks, ranking.Regions, null);
        Assert.Equal(attribution.Sum(v => (double)v), ranking.Heatmap.Sum(v => (double)v), 2);
        var gains = ranking.Regions.Select(r => r.Gain).ToList();
        int sorted = ranking.HasRemainder ? gains.Count - 1 : gains.Count;
        for (int i = 1; i < sorted; i++)
        {
            Assert.True(gains[i] <= gains[i - 1], $"rank {i + 1} gain {gains[i]} > rank {i} gain {gains[i - 1]}");
        }
    }

    /// <summary>Attributions outside the region are never read: changing them changes nothing.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rank_WithRegion_IgnoresAttributionsOutside(bool fast)
    {
        const int size = 80;
        var masks = Xrai.Segments(FelzenszwalbTests.Scene(size, size, 1, 4, levels: 0), 1, size, size);
        var region = Disc(size, size / 2, size / 2, 25);
        var attribution = SmoothField(size, 4);
        var changed = attribution.Select((v, p) => region[p] == 0 ? 1000f : v).ToArray();
        var a = Xrai.Rank(attribution, masks, fast, region);
        var b = Xrai.Rank(changed, masks, fast, region);
        Assert.Equal(a.Heatmap, b.Heatmap);
        Assert.Equal(a.Ranks, b.Ranks);
        AssertRegionInvariants(a.Heatmap, a.Ranks, a.Regions, region);
    }

    [Theory]
    [InlineData(ExplainMethod.Xrai)]
    [InlineData(ExplainMethod.XraiFast)]
    public void Explain_Xrai_HeatmapSumEqualsChannelMaxIgSum(ExplainMethod method)
    {
        TorchTestSetup.Seed(21);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 2, 2, pretrained: false);
        using var x = rand(1, 2, 64, 64);
        var options = new ExplainOptions { Steps = 16, BatchSize = 8, Output = 1 };
        var ig = Explainer.Explain(network, x, ExplainMethod.IntegratedGradients, options);
        var xrai = Explainer.Explain(network, x, method, options);
        double igSum = ig.Heatmap.Sum(v => (double)v);
        double scale = ig.Heatmap.Sum(v => Math.Abs((double)v));
        Assert.True(Math.Abs(xrai.Heatmap.Sum(v => (double)v) - igSum) <= (1e-5 * scale) + 1e-7, $"XRAI sum {xrai.Heatmap.Sum(v => (double)v)} vs IG {igSum}");
        AssertRegionInvariants(xrai.Heatmap, xrai.Ranks!, xrai.Regions, null);
        Assert.Equal(ig.Logit, xrai.Logit);
    }

    /// <summary>Every pixel in the region has a rank, ranks run 1..N, each region's pixels hold its gain, counts agree.</summary>
    internal static void AssertRegionInvariants(float[] heatmap, int[] ranks, IReadOnlyList<XraiRegion> regions, byte[]? region)
    {
        Assert.NotEmpty(regions);
        Assert.Equal(Enumerable.Range(1, regions.Count), regions.Select(r => r.Rank));
        var counts = new int[regions.Count + 1];
        for (int p = 0; p < ranks.Length; p++)
        {
            bool inside = region is null || region[p] != 0;
            Assert.True(inside ? ranks[p] >= 1 : ranks[p] == 0, $"pixel {p} (inside: {inside}) has rank {ranks[p]}");
            counts[ranks[p]]++;
            if (inside)
            {
                Assert.Equal((float)regions[ranks[p] - 1].Gain, heatmap[p]);
            }
        }

        Assert.Equal(regions.Select(r => r.Pixels), counts.Skip(1));
    }

    internal static byte[] Disc(int size, int cy, int cx, int radius)
        => [.. Enumerable.Range(0, size * size).Select(p => (byte)((((p / size) - cy) * ((p / size) - cy)) + (((p % size) - cx) * ((p % size) - cx)) <= radius * radius ? 1 : 0))];

    private static float[] Block(int count, float value) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>A sum of a few random Gaussian bumps of both signs plus noise.</summary>
    private static float[] SmoothField(int size, int seed)
    {
        var random = new Random(seed);
        var bumps = Enumerable.Range(0, 8).Select(_ => (Y: random.Next(size), X: random.Next(size), S: 3 + (10 * random.NextDouble()), A: random.NextDouble() - 0.4)).ToList();
        return [.. Enumerable.Range(0, size * size).Select(p => (float)(bumps.Sum(b => b.A * Math.Exp(-((((p / size) - b.Y) * ((p / size) - b.Y)) + (((p % size) - b.X) * ((p % size) - b.X))) / (2 * b.S * b.S))) + (0.01 * random.NextDouble())))];
    }
}
