using Headsup.Training.Evaluation;
using Headsup.Imaging.Export;
using Headsup.Testing;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>The lesion check's scores on hand-built maps.</summary>
public class LesionCheckTests
{
    private const int W = 40, H = 40;

    private static byte[] Square(int x0, int y0, int side)
    {
        var mask = new byte[W * H];
        for (int y = y0; y < y0 + side; y++)
        {
            for (int x = x0; x < x0 + side; x++)
            {
                mask[(y * W) + x] = 1;
            }
        }

        return mask;
    }

    [Fact]
    public void A_map_peaking_on_the_bleed_hits_and_chance_is_the_near_area_share()
    {
        var brain = Enumerable.Repeat((byte)1, W * H).ToArray();
        var bleed = Square(10, 10, 4); // 16 pixels
        var heat = new float[W * H];
        for (int i = 0; i < heat.Length; i++)
        {
            heat[i] = bleed[i] != 0 ? 5f : 0.001f * i; // bleed highest; elsewhere rising to the bottom-right corner
        }

        var row = LesionCheck.Score("f", "xrai", 0.9, heat, brain, bleed, W, H, topFraction: 0.01, tolerance: 2, seconds: 0);
        Assert.True(row.PointingHit);
        Assert.True(row.MaskHit);
        Assert.Equal(1.0, row.TopPrecision); // top 1 % = the 16 bleed pixels
        Assert.Equal(1.0, row.BleedCovered);
        Assert.Equal(8.0 * 8 / (W * H), row.ChancePointing, 10); // bleed grown by 2 px: 8×8 of 1600
    }

    [Fact]
    public void A_map_peaking_far_away_misses()
    {
        var brain = Enumerable.Repeat((byte)1, W * H).ToArray();
        var bleed = Square(2, 2, 3);
        var heat = Enumerable.Range(0, W * H).Select(i => (float)i).ToArray(); // peak at the far corner
        var row = LesionCheck.Score("f", "ig", 0.5, heat, brain, bleed, W, H, topFraction: 0.3, tolerance: 2, seconds: 0);
        Assert.False(row.PointingHit);
        Assert.False(row.MaskHit);
        Assert.Equal(0.0, row.BleedCovered);
    }

    [Fact]
    public void Masks_are_read_from_png_and_resampled_to_the_slice()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "m.png");
        var pixels = Square(5, 5, 10).Select(b => (byte)(b * 255)).ToArray();
        using (var stream = File.Create(path))
        {
            PngWriter.Write(stream, pixels, W, H, 1);
        }

        var same = LesionCheck.LoadMask(path, W, H);
        Assert.Equal(100, same.Count(v => v != 0));
        var doubled = LesionCheck.LoadMask(path, 2 * W, 2 * H);
        Assert.Equal(400, doubled.Count(v => v != 0));
        Assert.Throws<Inputs.SliceImageException>(() => LesionCheck.LoadMask(Path.Combine(folder.Path, "missing.png"), W, H));
    }

    [Fact]
    public void Summaries_break_hits_down_by_model_decision_subtype_and_size()
    {
        static LesionHit Row(double p, bool hit, string subtype, int pixels) => new("f", "xrai", p, hit, hit, hit ? 1 : 0, 0, 0.1, 1, subtype, pixels);
        var rows = new[]
        {
            Row(0.9, true, "subdural", 2000),
            Row(0.8, false, "subdural", 200),
            Row(0.05, false, "subarachnoid", 500),
            Row(0.6, true, "intraparenchymal", 1600),
        };
        var summaries = LesionCheck.Summarise(rows, operatingPoint: 0.5);
        LesionSummary Group(string g) => Assert.Single(summaries, s => s.Group == g);
        Assert.Equal(4, Group(LesionSummary.All).N);
        Assert.Equal(0.5, Group(LesionSummary.All).MaskHitRate.Value, 10);
        Assert.Equal(3, Group("model positive").N);
        Assert.Equal(2.0 / 3, Group("model positive").MaskHitRate.Value, 10); // the method's misses
        Assert.Equal(1, Group("model negative").N);                           // the model's miss
        Assert.Equal(2, Group("subtype subdural").N);
        Assert.Equal(1, Group("bleed 1 small (<300 px)").N);
        Assert.Equal(1, Group("bleed 2 medium (300-1500 px)").N);
        Assert.Equal(2, Group("bleed 3 large (>1500 px)").N);
        Assert.DoesNotContain(LesionCheck.Summarise([rows[0] with { Subtype = null, BleedPixels = 0 }], 0.5), s => s.Group.StartsWith("subtype", StringComparison.Ordinal) || s.Group.StartsWith("bleed", StringComparison.Ordinal));
    }
}
