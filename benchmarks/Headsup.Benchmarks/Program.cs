using BenchmarkDotNet.Running;

namespace Headsup.Benchmarks;

/// <summary>Entry point: `dotnet run -c Release --project benchmarks/Headsup.Benchmarks -- --filter '*'`.</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
