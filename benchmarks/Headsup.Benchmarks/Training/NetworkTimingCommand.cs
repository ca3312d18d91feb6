using System.Diagnostics;
using System.Globalization;
using Headsup.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Benchmarks.Training;

/// <summary>
/// `network-timing [SIZE] [BATCH] [THREADS]`: parameters and forward+backward time per image (SGD step, BCE on 6
/// outputs, 1 input channel; default 256², batch 16) of every <see cref="NetworkFactory.Architectures"/> network,
/// median of 3 batches after one warm-up. Formerly the opt-in test NetworkTimingTests (HEADSUP_NETWORK_TIMING=1), which
/// asserted nothing; `train-throughput` times one network with AdamW beside PyTorch.
/// </summary>
internal static class NetworkTimingCommand
{
    public static int Run(string[] args)
    {
        int size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        int batch = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        torch.set_num_threads(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.ProcessorCount);
        torch.manual_seed(0);
        foreach (var architecture in NetworkFactory.Architectures)
        {
            using var net = NetworkFactory.Create(architecture, 1, 6, pretrained: false);
            net.train();
            using var optimizer = optim.SGD(net.parameters(), 0.001);
            using var x = rand(batch, 1, size, size);
            using var y = zeros(batch, 6);
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
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{architecture}: {parameters:N0} parameters, {times[1] / batch:F1} ms/image forward+backward (median of 3 batches of {batch} at {size}², {get_num_threads()} threads)"));
        }

        return 0;
    }
}
