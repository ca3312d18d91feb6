using System.Diagnostics;
using System.Globalization;
using Headsup.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Benchmarks.Training;

/// <summary>
/// `train-throughput ARCH SIZE BATCH STEPS ROUNDS [THREADS]`: training steps (forward, BCE-with-logits, backward,
/// the trainer's AdamW, <see cref="Headsup.Training.AdamWOptimizer"/>) of a <see cref="NetworkFactory"/> network on random N×3×SIZE×SIZE inputs; prints images/s per round and the
/// median. benchmarks/scripts/train-throughput-vs-pytorch.sh runs the same network in PyTorch beside it.
/// Inference mode: `infer-latency ARCH SIZE BATCH ROUNDS [THREADS]` prints ms/slice.
/// </summary>
internal static class TrainThroughputCommand
{
    public static int Run(string[] args)
    {
        if (args.Length < 5)
        {
            Console.Error.WriteLine("usage: train-throughput ARCH SIZE BATCH STEPS ROUNDS [THREADS]");
            return 2;
        }

        string arch = args[0];
        int size = int.Parse(args[1], CultureInfo.InvariantCulture);
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        int steps = int.Parse(args[3], CultureInfo.InvariantCulture);
        int rounds = int.Parse(args[4], CultureInfo.InvariantCulture);
        torch.set_num_threads(args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : Environment.ProcessorCount);
        torch.manual_seed(1);
        using var network = NetworkFactory.Create(arch, 3, 1, pretrained: false);
        network.train();
        // The trainer's optimiser (Headsup.Training.AdamWOptimizer: TorchSharp's AdamW arithmetic with its Scalars held),
        // at PyTorch's AdamW defaults (weight decay 0.01) like the PyTorch side.
        using var optimizer = new Headsup.Training.AdamWOptimizer([(network.parameters(), 1e-4, 0.01)]);
        using var x = rand(batch, 3, size, size);
        using var y = (rand(batch, 1) > 0.5).to_type(ScalarType.Float32);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var loss = nn.functional.binary_cross_entropy_with_logits(network.forward(x), y);
            loss.backward();
            optimizer.Step();
        }

        Step(); // warm-up
        Step();
        var rates = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                Step();
            }

            double rate = steps * batch / clock.Elapsed.TotalSeconds;
            rates.Add(rate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {r + 1}: {rate:0.00} images/s"));
        }

        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {rates[rates.Count / 2]:0.00}"));
        return 0;
    }

    public static int RunInference(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: infer-latency ARCH SIZE BATCH ROUNDS [THREADS]");
            return 2;
        }

        string arch = args[0];
        int size = int.Parse(args[1], CultureInfo.InvariantCulture);
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        int rounds = int.Parse(args[3], CultureInfo.InvariantCulture);
        torch.set_num_threads(args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : Environment.ProcessorCount);
        using var network = NetworkFactory.Create(arch, 1, 6, pretrained: false);
        network.eval();
        using var x = rand(batch, 1, size, size);
        var times = new List<double>();
        using (no_grad())
        {
            network.forward(x).Dispose();
            for (int r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                network.forward(x).Dispose();
                times.Add(clock.Elapsed.TotalMilliseconds / batch);
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {times[times.Count / 2]:0.00} ms/slice ({arch}, {size}², batch {batch})"));
        return 0;
    }
}
