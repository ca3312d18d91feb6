using System.Diagnostics;
using Headsup.Models.Networks;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

/// <summary>Forward+backward time per image at 256², batch 16, 2 threads. Runs only with HEADSUP_NETWORK_TIMING=1.</summary>
public sealed class NetworkTimingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ForwardBackward_MsPerImage()
    {
        Skip.If(Environment.GetEnvironmentVariable("HEADSUP_NETWORK_TIMING") != "1", "set HEADSUP_NETWORK_TIMING=1 to time the networks");
        TorchTestSetup.Seed(0);
        foreach (var architecture in NetworkFactory.Architectures)
        {
            using var net = NetworkFactory.Create(architecture, 1, 6, pretrained: false);
            net.train();
            using var optimizer = optim.SGD(net.parameters(), 0.001);
            using var x = rand(16, 1, 256, 256);
            using var y = zeros(16, 6);
            double Step()
            {
                using var scope = NewDisposeScope();
                var watch = Stopwatch.StartNew();
                optimizer.zero_grad();
                nn.functional.binary_cross_entropy_with_logits(net.forward(x), y).backward();
                optimizer.step();
                return watch.Elapsed.TotalMilliseconds;
            }

            Step();
            var times = Enumerable.Range(0, 3).Select(_ => Step()).Order().ToList();
            long parameters = net.parameters().Sum(p => p.numel());
            output.WriteLine($"{architecture}: {parameters:N0} parameters, {times[1] / 16:F1} ms/image forward+backward (median of 3 batches of 16 at 256², {get_num_threads()} threads)");
        }
    }
}
