using Headsup.Inputs;
using Headsup.Datasets;
using Headsup.Training;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// A tiny learnable task without files: 1×S×S inputs of smooth noise; positives carry a bright blob at a random place
/// (the shape of a hematoma in a brain window). Each input gets its own patient.
/// </summary>
internal static class SyntheticData
{
    public static InputCache Make(int count, int size, int seed, double positiveFraction = 0.5)
    {
        var random = new Random(seed);
        var cache = new InputCache(new InputSpec("gray-brain", size));
        for (int i = 0; i < count; i++)
        {
            int any = random.NextDouble() < positiveFraction ? 1 : 0;
            var pixels = new float[size * size];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = 0.35f + (0.1f * (float)random.NextDouble());
            }

            if (any == 1)
            {
                double cx = random.Next(size / 4, 3 * size / 4), cy = random.Next(size / 4, 3 * size / 4), r = size / 8.0;
                for (int y = 0; y < size; y++)
                {
                    for (int x = 0; x < size; x++)
                    {
                        if (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < r * r)
                        {
                            pixels[(y * size) + x] = 0.85f;
                        }
                    }
                }
            }

            var sample = new LabeledSample
            {
                File = $"/synthetic/{seed}/{i}.png",
                RelativeFile = $"{i}.png",
                Format = ImageFormat.Png,
                Any = any,
                Subtypes = any == 1 ? [0, 1, 0, 0, 0] : [0, 0, 0, 0, 0],
                PatientId = $"p{seed}-{i}",
                Source = "synthetic",
            };
            cache.Add(new CachedInput { Data = InputCache.Quantise(pixels), Any = any, Subtypes = sample.Subtypes, Sample = sample });
        }

        return cache;
    }
}
