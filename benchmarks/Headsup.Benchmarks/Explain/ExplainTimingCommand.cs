using System.Diagnostics;
using System.Globalization;
using Headsup.Explain;
using Headsup.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Benchmarks.Explain;

/// <summary>
/// `explain-timing [THREADS]`: wall time of each explanation at 224² for the ImageNet ResNet-18 (1 channel, 1 output) on
/// a random input, median of three runs after one warm-up, plus the 6-scale Felzenszwalb segmentation and the XRAI
/// segments alone (docs/explanations.md quotes these). Formerly the opt-in test ExplainTimingTests
/// (HEADSUP_EXPLAIN_TIMING=1), which asserted nothing.
/// </summary>
internal static class ExplainTimingCommand
{
    public static int Run(string[] args)
    {
        torch.set_num_threads(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : Environment.ProcessorCount);
        torch.manual_seed(0);
        using var network = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 1, 1, pretrained: true);
        using var x = rand(1, 1, 224, 224);
        var pixels = x.data<float>().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Felzenszwalb, 6 scales: {Median(() => Felzenszwalb.SegmentScales(pixels, 224, 224, 1, Xrai.SegmentationScales, 0.8, 150)):F3} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"XRAI segments (6 scales + dilation): {Median(() => Xrai.Segments(pixels, 1, 224, 224)):F3} s"));
        foreach (var method in Enum.GetValues<ExplainMethod>())
        {
            string settings = method == ExplainMethod.GradCam ? string.Empty : "100 IG steps per baseline, batches of 25, ";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method}: {Median(() => Explainer.Explain(network, x, method)):F2} s ({settings}{get_num_threads()} threads)"));
        }

        return 0;
    }

    private static double Median(Action action)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return times.Order().ElementAt(1);
    }
}
