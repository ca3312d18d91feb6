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
