using System.Diagnostics;
using System.Globalization;

namespace Headsup.Benchmarks.Pipeline;

/// <summary>
/// `throughput ROUNDS FILE...`: reads each file from disk (page cache) and runs DICOM → E2 on one thread, printing
/// slices/s per round and the median — the same protocol as tools/reference/paper_pipeline_throughput.py.
/// </summary>
internal static class ThroughputCommand
{
    public static int Run(string[] args)
    {
        int rounds = int.Parse(args[0], CultureInfo.InvariantCulture);
        var files = args[1..];
        var pipeline = new E2Pipeline();
        var buffer = new byte[16 * 1024 * 1024];
        foreach (var f in files)
        {
            RunOne(pipeline, buffer, f); // warm-up (JIT, page cache)
        }

        var rates = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            foreach (var f in files)
            {
                RunOne(pipeline, buffer, f);
            }

            double seconds = watch.Elapsed.TotalSeconds;
            rates.Add(files.Length / seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {r} {files.Length} {seconds:F4} {rates[^1]:F1}"));
        }

        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median_slices_per_second {rates[rates.Count / 2]:F1}"));
        return 0;
    }

    private static void RunOne(E2Pipeline pipeline, byte[] buffer, string path)
    {
        using var handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        int read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)length), 0);
        pipeline.Run(buffer.AsMemory(0, read), path);
    }
}
