using BenchmarkDotNet.Running;
using Headsup.Benchmarks.Codecs;

namespace Headsup.Benchmarks;

/// <summary>
/// Entry point: `dotnet run -c Release --project benchmarks/Headsup.Benchmarks -- --filter '*'`;
/// `-- jpeg-lossless-timing [repetitions] [files…]` times JPEG Lossless decoding without BenchmarkDotNet.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "jpeg-lossless-timing")
        {
            return JpegLosslessDecodeBenchmark.RunTiming(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
