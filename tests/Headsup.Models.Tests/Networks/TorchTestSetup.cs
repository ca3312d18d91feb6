using TorchSharp;

namespace Headsup.Models.Tests.Networks;

/// <summary>Two torch threads for every test (the CI machine has two cores) and a fixed seed per call.</summary>
internal static class TorchTestSetup
{
    private static readonly Lazy<bool> s_threads = new(() =>
    {
        torch.set_num_threads(2);
        return true;
    });

    public static void Seed(long seed)
    {
        _ = s_threads.Value;
        torch.manual_seed(seed);
    }

    public static float MaxAbsDiff(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        }

        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    public static float MaxAbs(float[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
