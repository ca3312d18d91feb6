using BenchmarkDotNet.Running;
using Headsup.Benchmarks.Codecs;
using Headsup.Benchmarks.Pipeline;
using Headsup.Benchmarks.Training;

namespace Headsup.Benchmarks;

/// <summary>
/// Entry point. `-- --filter '*'` runs the BenchmarkDotNet suites; `-- throughput ROUNDS FILE...` runs the
/// side-by-side E2 throughput protocol (benchmarks/scripts/e2-throughput-vs-python.sh);
/// `-- jpeg-lossless-timing [repetitions] [files…]` times JPEG Lossless decoding (benchmarks/scripts/jpeg-lossless-vs-dcmdjpeg.sh);
/// `-- train-throughput …` and `-- infer-latency …` time networks (benchmarks/scripts/train-throughput-vs-pytorch.sh);
/// `-- detect-latency MODEL …` times a study triage and the explanations (benchmarks/scripts/detect-latency.sh);
/// `-- explain-timing [threads]` times each explanation method at 224²; `-- network-timing [size] [batch] [threads]`
/// times a training step of every network.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "throughput")
        {
            return ThroughputCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "jpeg-lossless-timing")
        {
            return JpegLosslessDecodeBenchmark.RunTiming(args[1..]);
        }

        if (args.Length > 0 && args[0] == "train-throughput")
        {
            return TrainThroughputCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "detect-latency")
        {
            return Triage.DetectLatencyCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "explain-timing")
        {
            return Explain.ExplainTimingCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "network-timing")
        {
            return NetworkTimingCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "infer-latency")
        {
            return TrainThroughputCommand.RunInference(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
