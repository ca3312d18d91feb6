using Headsup.Inputs;
using System.Diagnostics;
using System.Globalization;
using Headsup.Explain;
using Headsup.Phantom;
using Headsup.Triage;
using TorchSharp;

namespace Headsup.Benchmarks.Triage;

/// <summary>
/// `detect-latency MODEL [ROUNDS] [SLICES] [MATRIX]`: the issue's latency goals, measured in one process with the model
/// loaded once. Generates a phantom study (SLICES × MATRIX², default 40 × 512²), then reports: model load time; the
/// median over ROUNDS of study → results.json (scan, decode, score, aggregate, SR; no explanation); and the median time
/// of IG (100 steps × 2 baselines), XRAI (full and fast) and Grad-CAM on the top key slice; and the peak working set.
/// </summary>
internal static class DetectLatencyCommand
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: detect-latency MODEL [ROUNDS] [SLICES] [MATRIX] [EXPLAIN_ROUNDS] [IG_BATCH]");
            return 2;
        }

        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        int slices = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
        int matrix = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512;
        int explainRounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        torch.set_num_threads(Environment.ProcessorCount);
        var root = Path.Combine(Path.GetTempPath(), "headsup-detect-latency-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var summary = new PhantomGenerator(new PhantomOptions { Studies = 1, Seed = 3, SliceCount = slices, MatrixSize = matrix, Hemorrhage = HemorrhageMode.Random, PositiveStudyFraction = 1, WriteMasks = false })
                .Generate(Path.Combine(root, "phantom"));
            var study = Path.Combine(root, "phantom", PhantomGenerator.DicomFolder);
            var clock = Stopwatch.StartNew();
            using var triager = StudyTriager.Load(args[0]);
            double load = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} threads; study: {summary.FileCount} slices {matrix}²; model {triager.Package.Manifest.Architecture} {triager.Package.Manifest.Input.Recipe} {triager.Package.Manifest.Input.Size}²"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model load      {load,8:0.000} s (once per process)"));

            var output = Path.Combine(root, "out");
            var first = Time(() => triager.Run(study, output, TriageOptions.Default));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first study     {first,8:0.000} s (warm-up: first forward pass, codec and JIT start-up)"));
            var times = Enumerable.Range(0, rounds).Select(_ => Time(() => triager.Run(study, output, TriageOptions.Default))).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"study→results   {Median(times),8:0.000} s median of {rounds} (min {times.Min():0.000}, max {times.Max():0.000}); goal ≤ 2 s"));

            var results = TriageJson.Read(Path.Combine(output, StudyTriager.ResultsFile));
            var top = results.Studies[0].KeySlices[0];
            var image = SliceImageLoader.Load(results.Studies[0].Slices[top.Index].File);
            var explainOptions = ExplainOptions.Default with { BatchSize = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : ExplainOptions.Default.BatchSize };
            foreach (var method in new[] { ExplainMethod.GradCam, ExplainMethod.IntegratedGradients, ExplainMethod.XraiFast, ExplainMethod.Xrai })
            {
                var t = Enumerable.Range(0, explainRounds).Select(_ => Time(() => triager.ExplainSlice(image, null, null, method, explainOptions))).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{StudyTriager.MethodName(method),-15} {Median(t),8:0.000} s median of {explainRounds} (top slice, {explainOptions.Steps} IG steps per baseline, batches of {explainOptions.BatchSize}){(method == ExplainMethod.Xrai ? "; goal ≤ 10 s" : string.Empty)}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),7:0} MiB"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Time<T>(Func<T> action) => Time(() => { action(); });

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
