using Headsup.Imaging.Export;

namespace Headsup.Testing;

public static class TestImages
{
    /// <summary>Writes a gray (or gray-as-RGB) PNG with a bright disc on black.</summary>
    public static void WriteHeadPng(string path, int width = 60, int height = 80, bool rgb = false, byte inside = 150)
    {
        int channels = rgb ? 3 : 1;
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double dx = (x - (width / 2.0)) / (width * 0.4), dy = (y - (height / 2.0)) / (height * 0.4);
                byte v = (dx * dx) + (dy * dy) < 1 ? inside : (byte)0;
                for (int c = 0; c < channels; c++)
                {
                    pixels[(((y * width) + x) * channels) + c] = v;
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        PngWriter.Write(stream, pixels, width, height, channels);
    }

    /// <summary>
    /// Display values (size², row-major) of a synthetic head: an elliptic skull ring (white), brain (gray) with dark
    /// ventricles and a few bright or dark blobs placed by the seed, on a black field with a white "text" block in a
    /// corner (outside the head); <paramref name="tone"/> re-maps the values (another window), then they are clipped.
    /// </summary>
    public static float[] DisplayHead(int seed, int size = 256, double scale = 1, int shiftX = 0, int shiftY = 0, Func<float, float>? tone = null)
    {
        var random = new Random(seed);
        double ax = (0.36 + (0.06 * random.NextDouble())) * size * scale;
        double ay = (0.42 + (0.05 * random.NextDouble())) * size * scale;
        var blobs = Enumerable.Range(0, 6).Select(_ => (X: (random.NextDouble() - 0.5) * 1.1, Y: (random.NextDouble() - 0.5) * 1.3, R: 0.08 + (0.12 * random.NextDouble()), V: random.NextDouble() < 0.5 ? 10f : 90f)).ToArray();
        double ventricle = 0.1 + (0.25 * random.NextDouble());
        double cx = (size / 2.0) + shiftX, cy = (size / 2.0) + shiftY;
        var pixels = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double u = (x - cx) / ax, v = (y - cy) / ay;
                double r = Math.Sqrt((u * u) + (v * v));
                float value = 0;
                if (r < 0.9)
                {
                    value = 55;
                    if (Math.Abs(u) < ventricle * 0.5 && Math.Abs(v) < ventricle)
                    {
                        value = 15;
                    }

                    foreach (var b in blobs)
                    {
                        if (((u - b.X) * (u - b.X)) + ((v - b.Y) * (v - b.Y)) < b.R * b.R)
                        {
                            value = b.V;
                        }
                    }
                }
                else if (r < 1)
                {
                    value = 255;
                }

                pixels[(y * size) + x] = tone is null ? value : Math.Clamp(MathF.Round(tone(value)), 0, 255);
            }
        }

        for (int y = 4; y < 14; y++)
        {
            for (int x = 4; x < 40; x++)
            {
                pixels[(y * size) + x] = 255;
            }
        }

        return pixels;
    }

    /// <summary>Writes <see cref="DisplayHead"/> as an 8-bit gray PNG.</summary>
    public static void WriteDisplayHeadPng(string path, int seed, int size = 256, double scale = 1, int shiftX = 0, int shiftY = 0, Func<float, float>? tone = null)
    {
        var values = DisplayHead(seed, size, scale, shiftX, shiftY, tone);
        var bytes = new byte[values.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round(values[i]), 0, 255);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        PngWriter.Write(stream, bytes, size, size, 1);
    }

    /// <summary>Writes a [0,1] plane as an 8-bit PNG for a look.</summary>
    public static void WritePlane(string path, ReadOnlySpan<float> plane, int width, int height)
    {
        var bytes = new byte[width * height];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round(plane[i] * 255f), 0, 255);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        PngWriter.Write(stream, bytes, width, height, 1);
    }

    /// <summary>A folder kept after the run for a visual check.</summary>
    public static string PreviewFolder
    {
        get
        {
            var folder = Path.Combine(Path.GetTempPath(), "headsup-datasets-preview");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}
