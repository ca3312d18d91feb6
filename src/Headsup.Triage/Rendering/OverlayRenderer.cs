using Headsup.Inputs;
using Headsup.Core.IO;
using System.Globalization;
using System.Runtime.InteropServices;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Imaging.Windowing;
using Headsup.Explain;
using Headsup.Reporting;
using SkiaSharp;

namespace Headsup.Triage.Rendering;

/// <summary>
/// Pictures of a triage: the slice in the brain window with the top attributions as a viridis heatmap and the outline
/// of the top region (the paper's yellow polygon), burned-in banners for Secondary Captures, a side-by-side panel
/// (slice | overlay | probability per slice), and the PNG and .npy files. Text uses DejaVu Sans when installed.
/// </summary>
public static class OverlayRenderer
{
    private const string FontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    // matplotlib's viridis at 0, 1/8, …, 1 (R's viridis(9)); linear in between.
    private static readonly byte[,] s_viridis =
    {
        { 0x44, 0x01, 0x54 }, { 0x47, 0x2D, 0x7B }, { 0x3B, 0x52, 0x8B }, { 0x2C, 0x72, 0x8E }, { 0x21, 0x90, 0x8C },
        { 0x27, 0xAD, 0x81 }, { 0x5D, 0xC8, 0x63 }, { 0xAA, 0xDC, 0x32 }, { 0xFD, 0xE7, 0x25 },
    };

    private static readonly Lazy<SKTypeface> s_typeface = new(() => File.Exists(FontFile) ? SKTypeface.FromFile(FontFile) : SKTypeface.Default);

    /// <summary>The slice in the brain window (40/80 HU) as gray RGB.</summary>
    public static RgbImage BrainWindow(ReadOnlySpan<float> hu, int columns, int rows)
    {
        var windowed = new float[columns * rows];
        WindowApplier.Apply(HuWindow.Brain, hu[..windowed.Length], windowed);
        var pixels = new byte[columns * rows * 3];
        for (int i = 0; i < windowed.Length; i++)
        {
            pixels[3 * i] = pixels[(3 * i) + 1] = pixels[(3 * i) + 2] = (byte)Math.Round(windowed[i] * 255f);
        }

        return new RgbImage(columns, rows, pixels);
    }

    /// <summary>The slice as gray RGB: HU in the brain window, display images as they are.</summary>
    public static RgbImage Background(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Intensity == SliceIntensity.Hu)
        {
            return BrainWindow(image.Pixels, image.Width, image.Height);
        }

        var pixels = new byte[image.Width * image.Height * 3];
        for (int i = 0; i < image.Width * image.Height; i++)
        {
            pixels[3 * i] = pixels[(3 * i) + 1] = pixels[(3 * i) + 2] = (byte)Math.Clamp((int)Math.Round(image.Pixels[i]), 0, 255);
        }

        return new RgbImage(image.Width, image.Height, pixels);
    }

    /// <summary>Viridis colour of t ∈ [0, 1].</summary>
    public static (byte R, byte G, byte B) Viridis(double t)
    {
        double x = Math.Clamp(double.IsNaN(t) ? 0 : t, 0, 1) * 8;
        int i = Math.Min((int)x, 7);
        double f = x - i;
        byte Mix(int c) => (byte)Math.Round((s_viridis[i, c] * (1 - f)) + (s_viridis[i + 1, c] * f));
        return (Mix(0), Mix(1), Mix(2));
    }

    /// <summary>
    /// The overlay: brain-window slice, the top region coloured by viridis (normalised over the shown values, 55 %
    /// opaque) and its outline in yellow, 2 pixels wide.
    /// </summary>
    public static RgbImage Overlay(RgbImage background, ReadOnlySpan<float> heatmap, ReadOnlySpan<byte> region, double topFraction)
    {
        ArgumentNullException.ThrowIfNull(background);
        int columns = background.Columns, rows = background.Rows;
        if (heatmap.Length != columns * rows || (!region.IsEmpty && region.Length != heatmap.Length))
        {
            throw new ArgumentException($"heatmap and region must both be {columns}×{rows}");
        }

        var image = new RgbImage(columns, rows, (byte[])background.Pixels.Clone());
        var top = HeatmapRegion.Top(heatmap, region, topFraction);
        float low = float.MaxValue, high = float.MinValue;
        for (int i = 0; i < top.Length; i++)
        {
            if (top[i] != 0)
            {
                low = Math.Min(low, heatmap[i]);
                high = Math.Max(high, heatmap[i]);
            }
        }

        var p = image.Pixels;
        for (int i = 0; i < top.Length; i++)
        {
            if (top[i] == 0)
            {
                continue;
            }

            var (r, g, b) = Viridis(high > low ? (heatmap[i] - low) / (high - low) : 1);
            p[3 * i] = (byte)((0.45 * p[3 * i]) + (0.55 * r));
            p[(3 * i) + 1] = (byte)((0.45 * p[(3 * i) + 1]) + (0.55 * g));
            p[(3 * i) + 2] = (byte)((0.45 * p[(3 * i) + 2]) + (0.55 * b));
        }

        foreach (int i in HeatmapRegion.Outline(HeatmapRegion.WithoutSpecks(top, columns, rows), columns, rows, width: 2))
        {
            p[3 * i] = 255;
            p[(3 * i) + 1] = 221;
            p[(3 * i) + 2] = 0;
        }

        return image;
    }

    /// <summary>
    /// The overlay of an explanation on its slice: <see cref="Background"/>, then <see cref="Overlay"/> of the heatmap
    /// (smoothed for display first when it is a pixel-level Integrated Gradients map).
    /// </summary>
    public static RgbImage Explanation(SliceImage image, float[] heatmap, ReadOnlySpan<byte> region, ExplainMethod method, double topFraction)
    {
        ArgumentNullException.ThrowIfNull(image);
        var shown = method == ExplainMethod.IntegratedGradients ? SmoothForDisplay(heatmap, image.Width, image.Height) : heatmap;
        return Overlay(Background(image), shown, region, topFraction);
    }

    /// <summary>
    /// A pixel-level heatmap made readable for display: box-blurred twice with a radius of 1/64 of the image (≈ a
    /// Gaussian), used for Integrated Gradients overlays, whose raw top pixels are speckle. The .npy keeps the raw map.
    /// </summary>
    public static float[] SmoothForDisplay(ReadOnlySpan<float> heatmap, int columns, int rows)
    {
        int radius = Math.Max(2, Math.Max(columns, rows) / 64);
        var a = heatmap.ToArray();
        var b = new float[a.Length];
        for (int pass = 0; pass < 2; pass++)
        {
            BoxBlur(a, b, columns, rows, radius, horizontal: true);
            BoxBlur(b, a, columns, rows, radius, horizontal: false);
        }

        return a;
    }

    /// <summary>The image with a black banner above it holding <paramref name="lines"/> (white; the last line red).</summary>
    public static RgbImage WithBanner(RgbImage image, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(lines);
        float size = Math.Max(11f, image.Columns / 42f);
        int lineHeight = (int)Math.Ceiling(size * 1.35f);
        int banner = (lineHeight * lines.Count) + (int)size;
        using var bitmap = new SKBitmap(new SKImageInfo(image.Columns, image.Rows + banner, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            using var source = ToBitmap(image);
            using var sourceImage = SKImage.FromBitmap(source);
            canvas.DrawImage(sourceImage, SKRect.Create(0, banner, image.Columns, image.Rows), new SKSamplingOptions(SKFilterMode.Nearest));
            using var font = new SKFont(s_typeface.Value, size);
            using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
            using var red = new SKPaint { Color = new SKColor(255, 80, 80), IsAntialias = true };
            for (int l = 0; l < lines.Count; l++)
            {
                canvas.DrawText(lines[l], size / 2, (l + 1) * lineHeight, SKTextAlign.Left, font, l == lines.Count - 1 ? red : white);
            }
        }

        return FromBitmap(bitmap);
    }

    /// <summary>
    /// The study panel: slice | overlay | probability per slice (counted slices in blue, the others gray, the study
    /// threshold dashed, key slices marked), with a title line and the disclaimer.
    /// </summary>
    public static RgbImage Panel(RgbImage slice, RgbImage overlay, IReadOnlyList<SliceResult> slices, IReadOnlyList<int> keySlices, double threshold, string title)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(keySlices);
        const int Tile = 512, Header = 40, Footer = 28;
        using var bitmap = new SKBitmap(new SKImageInfo(3 * Tile, Tile + Header + Footer, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(s_typeface.Value, 17);
            using var small = new SKFont(s_typeface.Value, 13);
            using var black = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var red = new SKPaint { Color = new SKColor(200, 0, 0), IsAntialias = true };
            canvas.DrawText(title, 8, 26, SKTextAlign.Left, font, black);
            canvas.DrawText("NOT FOR CLINICAL USE — research software, not validated", 8, Header + Tile + 20, SKTextAlign.Left, small, red);
            using var sampling = new SKPaint { IsAntialias = true };
            foreach (var (image, column) in new[] { (slice, 0), (overlay, 1) })
            {
                using var source = ToBitmap(image);
                float scale = Math.Min((float)Tile / image.Columns, (float)Tile / image.Rows);
                float w = image.Columns * scale, h = image.Rows * scale;
                var rect = SKRect.Create((column * Tile) + ((Tile - w) / 2), Header + ((Tile - h) / 2), w, h);
                using var img = SKImage.FromBitmap(source);
                canvas.DrawImage(img, rect, new SKSamplingOptions(SKFilterMode.Linear), sampling);
            }

            DrawPlot(canvas, SKRect.Create((2 * Tile) + 50, Header + 20, Tile - 70, Tile - 70), slices, keySlices, threshold, small);
        }

        return FromBitmap(bitmap);
    }

    /// <summary>Writes an image as PNG (Imaging's <see cref="PngWriter"/>), atomically.</summary>
    public static void SavePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        AtomicFile.Write(path, stream => PngWriter.Write(stream, image.Pixels, image.Columns, image.Rows, 3));
    }

    /// <summary>Writes a heatmap as a rows × columns float32 .npy (Imaging's <see cref="NpyWriter"/>), atomically.</summary>
    public static void SaveHeatmap(ReadOnlySpan<float> heatmap, int rows, int columns, string path)
    {
        var values = heatmap.ToArray();
        AtomicFile.Write(path, stream => NpyWriter.Write(stream, values, rows, columns));
    }

    private static void DrawPlot(SKCanvas canvas, SKRect area, IReadOnlyList<SliceResult> slices, IReadOnlyList<int> keySlices, double threshold, SKFont font)
    {
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke, IsAntialias = true };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawRect(area, axis);
        int n = slices.Count;
        if (n == 0)
        {
            return;
        }

        // slices run top (first in series order) to bottom, probability left (0) to right (1)
        float Y(int i) => n == 1 ? area.MidY : area.Top + (area.Height * i / (n - 1));
        float X(double p) => area.Left + (float)(Math.Clamp(p, 0, 1) * area.Width);
        using var dashed = new SKPaint { Color = new SKColor(200, 0, 0), StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
        canvas.DrawLine(X(threshold), area.Top, X(threshold), area.Bottom, dashed);
        using var line = new SKPaint { Color = new SKColor(30, 90, 200), StrokeWidth = 2, Style = SKPaintStyle.Stroke, IsAntialias = true };
        for (int i = 1; i < n; i++)
        {
            canvas.DrawLine(X(slices[i - 1].Probability), Y(i - 1), X(slices[i].Probability), Y(i), line);
        }
        using var counted = new SKPaint { Color = new SKColor(30, 90, 200), IsAntialias = true };
        using var ignored = new SKPaint { Color = new SKColor(160, 160, 160), IsAntialias = true };
        using var key = new SKPaint { Color = new SKColor(230, 160, 0), IsAntialias = true };
        for (int i = 0; i < n; i++)
        {
            canvas.DrawCircle(X(slices[i].Probability), Y(i), 3, slices[i].InStudyScore ? counted : ignored);
        }

        foreach (int k in keySlices)
        {
            canvas.DrawCircle(X(slices[k].Probability), Y(k), 6, key);
            var label = slices[k].InstanceNumber?.ToString(CultureInfo.InvariantCulture) ?? "#" + k.ToString(CultureInfo.InvariantCulture);
            canvas.DrawText(label, X(slices[k].Probability) - 10, Y(k) + 4, SKTextAlign.Right, font, text);
        }

        canvas.DrawText("0", area.Left, area.Bottom + 16, SKTextAlign.Center, font, text);
        canvas.DrawText("1", area.Right, area.Bottom + 16, SKTextAlign.Center, font, text);
        canvas.DrawText("slice probability (gray: not counted; orange: key slices)", area.MidX, area.Bottom + 32, SKTextAlign.Center, font, text);
        canvas.DrawText(n.ToString(CultureInfo.InvariantCulture) + " slices, first at the top", area.Left, area.Top - 6, SKTextAlign.Left, font, text);
    }

    private static void BoxBlur(float[] source, float[] destination, int columns, int rows, int radius, bool horizontal)
    {
        int lines = horizontal ? rows : columns, length = horizontal ? columns : rows;
        for (int line = 0; line < lines; line++)
        {
            int Index(int k) => horizontal ? (line * columns) + k : (k * columns) + line;
            double sum = 0;
            int count = 0;
            for (int k = 0; k < Math.Min(radius, length); k++)
            {
                sum += source[Index(k)];
                count++;
            }

            for (int k = 0; k < length; k++)
            {
                if (k + radius < length)
                {
                    sum += source[Index(k + radius)];
                    count++;
                }

                if (k - radius - 1 >= 0)
                {
                    sum -= source[Index(k - radius - 1)];
                    count--;
                }

                destination[Index(k)] = (float)(sum / count);
            }
        }
    }

    private static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Columns, image.Rows, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[image.Columns * image.Rows * 4];
        for (int i = 0, n = image.Columns * image.Rows; i < n; i++)
        {
            rgba[4 * i] = image.Pixels[3 * i];
            rgba[(4 * i) + 1] = image.Pixels[(3 * i) + 1];
            rgba[(4 * i) + 2] = image.Pixels[(3 * i) + 2];
            rgba[(4 * i) + 3] = 255;
        }

        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }

    private static RgbImage FromBitmap(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height;
        var rgba = new byte[w * h * 4];
        Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[(3 * i) + 1] = rgba[(4 * i) + 1];
            rgb[(3 * i) + 2] = rgba[(4 * i) + 2];
        }

        return new RgbImage(w, h, rgb);
    }
}
