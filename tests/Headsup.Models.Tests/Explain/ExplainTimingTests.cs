using System.Diagnostics;
using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

/// <summary>
/// Wall time of each explanation at 224² for the ImageNet ResNet-18 (1 channel, 1 output), 2 torch threads, median of
/// three runs after one warm-up, plus the 6-scale Felzenszwalb segmentation alone. Runs only with HEADSUP_EXPLAIN_TIMING=1.
/// </summary>
public sealed class ExplainTimingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Explain_SecondsPerSlice_At224()
    {
        Skip.If(Environment.GetEnvironmentVariable("HEADSUP_EXPLAIN_TIMING") != "1", "set HEADSUP_EXPLAIN_TIMING=1 to time the explanations");
        TorchTestSetup.Seed(0);
        using var network = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 1, 1, pretrained: true);
        using var x = rand(1, 1, 224, 224);
        var pixels = x.data<float>().ToArray();
        output.WriteLine($"Felzenszwalb, 6 scales: {Median(() => Felzenszwalb.SegmentScales(pixels, 224, 224, 1, Xrai.SegmentationScales, 0.8, 150)):F3} s");
        output.WriteLine($"XRAI segments (6 scales + dilation): {Median(() => Xrai.Segments(pixels, 1, 224, 224)):F3} s");
        foreach (var method in Enum.GetValues<ExplainMethod>())
        {
            string settings = method == ExplainMethod.GradCam ? string.Empty : "100 IG steps per baseline, batches of 25, ";
            output.WriteLine($"{method}: {Median(() => Explainer.Explain(network, x, method)):F2} s ({settings}{get_num_threads()} threads)");
        }
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
