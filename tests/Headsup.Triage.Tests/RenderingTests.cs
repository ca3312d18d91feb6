using Headsup.Explain;
using Headsup.Reporting;
using Headsup.Testing;
using Headsup.Triage.Rendering;
using Xunit;

namespace Headsup.Triage.Tests;

public class RenderingTests
{
    [Fact]
    public void Viridis_ends_and_middle_are_matplotlibs()
    {
        Assert.Equal(((byte)0x44, (byte)0x01, (byte)0x54), OverlayRenderer.Viridis(0));
        Assert.Equal(((byte)0x21, (byte)0x90, (byte)0x8C), OverlayRenderer.Viridis(0.5));
        Assert.Equal(((byte)0xFD, (byte)0xE7, (byte)0x25), OverlayRenderer.Viridis(1));
    }

    [Fact]
    public void Top_mask_takes_the_top_fraction_inside_the_region_only()
    {
        const int n = 100;
        var heat = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var region = Enumerable.Range(0, n).Select(i => i < 50 ? (byte)1 : (byte)0).ToArray();
        var top = HeatmapRegion.Top(heat, region, 0.3);
        Assert.Equal(15, top.Count(v => v != 0)); // 30 % of the 50 region pixels
        Assert.All(Enumerable.Range(0, n).Where(i => top[i] != 0), i => Assert.InRange(i, 35, 49));
    }

    [Fact]
    public void A_constant_heatmap_shows_nothing()
    {
        var top = HeatmapRegion.Top(new float[64], [], 0.3);
        Assert.All(top, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Overlay_colours_only_the_top_region_and_outlines_it_in_yellow()
    {
        const int w = 40, h = 30;
        var hu = Enumerable.Repeat(40f, w * h).ToArray();
        var heat = new float[w * h];
        for (int y = 10; y < 20; y++)
        {
            for (int x = 10; x < 25; x++)
            {
                heat[(y * w) + x] = 1 + x;
            }
        }

        var background = OverlayRenderer.BrainWindow(hu, w, h);
        var overlay = OverlayRenderer.Overlay(background, heat, [], 150.0 / (w * h));
        Assert.Equal(background.Pixels.Length, overlay.Pixels.Length);
        int i0 = 0; // far from the region: untouched mid-gray (40 HU in the 40/80 window)
        Assert.Equal(new byte[] { 128, 128, 128 }, overlay.Pixels[(3 * i0)..((3 * i0) + 3)]);
        int corner = (10 * w) + 10; // on the region's border
        Assert.Equal(new byte[] { 255, 221, 0 }, overlay.Pixels[(3 * corner)..((3 * corner) + 3)]);
        int inside = (15 * w) + 17;
        Assert.NotEqual(overlay.Pixels[3 * inside], overlay.Pixels[(3 * inside) + 2]); // coloured, not gray
    }

    [Fact]
    public void Banner_adds_rows_above_the_image()
    {
        var image = new RgbImage(300, 200, new byte[300 * 200 * 3]);
        var withBanner = OverlayRenderer.WithBanner(image, ["line one", "NOT FOR DIAGNOSTIC USE"]);
        Assert.Equal(300, withBanner.Columns);
        Assert.True(withBanner.Rows > 200);
        Assert.Contains(withBanner.Pixels.Take(withBanner.Columns * (withBanner.Rows - 200) * 3), b => b > 128); // text was drawn
    }

    [Fact]
    public void Png_is_written_and_decodable()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "x.png");
        OverlayRenderer.SavePng(OverlayRenderer.BrainWindow(Enumerable.Range(0, 64 * 32).Select(i => (float)(i % 80)).ToArray(), 64, 32), path);
        using var decoded = SkiaSharp.SKBitmap.Decode(path);
        Assert.Equal(64, decoded.Width);
        Assert.Equal(32, decoded.Height);
    }

    [Fact]
    public void Smoothing_keeps_a_constant_map_and_spreads_a_spike()
    {
        const int w = 128, h = 96;
        Assert.All(OverlayRenderer.SmoothForDisplay(Enumerable.Repeat(2.5f, w * h).ToArray(), w, h), v => Assert.Equal(2.5f, v, 5));
        var spike = new float[w * h];
        spike[(48 * w) + 64] = 1000f;
        var smooth = OverlayRenderer.SmoothForDisplay(spike, w, h);
        Assert.True(smooth.Max() < 100f);
        Assert.Equal((48 * w) + 64, Array.IndexOf(smooth, smooth.Max()));
        Assert.Equal(1000.0, smooth.Sum(v => (double)v), 0); // no border nearby: the mass stays
    }

    [Fact]
    public void Specks_lose_their_outline()
    {
        const int w = 100, h = 100;
        var mask = new byte[w * h];
        for (int y = 10; y < 50; y++)
        {
            for (int x = 10; x < 50; x++)
            {
                mask[(y * w) + x] = 1;
            }
        }

        mask[(80 * w) + 80] = mask[(90 * w) + 20] = mask[(70 * w) + 75] = 1;
        var kept = HeatmapRegion.WithoutSpecks(mask, w, h);
        Assert.Equal(1600, kept.Count(v => v != 0));
        Assert.Equal(0, kept[(80 * w) + 80]);
    }
}
