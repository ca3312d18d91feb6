using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Dicom.Pixels;

namespace Headsup.Benchmarks.Codecs;

/// <summary>
/// Decodes one CQ500 JPEG Lossless (Process 14 SV1) slice through <see cref="CodecRegistry"/>. The slice is found under
/// ../shared/data/real-ct-dev/studies/cq500-*/ (or HEADSUP_SHARED_DATA); when absent the benchmark methods do nothing
/// and say so once. `jpeg-lossless-timing` runs <see cref="RunTiming"/> instead (used by
/// benchmarks/scripts/jpeg-lossless-vs-dcmdjpeg.sh).
/// </summary>
[MemoryDiagnoser]
public class JpegLosslessDecodeBenchmark
{
    private byte[]? _fileBytes;
    private PixelFrameReader? _reader;
    private byte[] _frame = [];
    private readonly CodecRegistry _registry = CodecRegistry.CreateDefault();

    /// <summary>Loads the first CQ500 slice into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var slice = FindCq500Slices().FirstOrDefault();
        if (slice is null)
        {
            Console.WriteLine("JpegLosslessDecodeBenchmark: no CQ500 slice under shared/data/real-ct-dev/studies; benchmarks are no-ops");
            return;
        }

        _fileBytes = File.ReadAllBytes(slice);
        _reader = PixelFrameReader.Create(DicomFileReader.Parse(_fileBytes, slice), _registry);
        _frame = new byte[_reader.FrameBytes];
    }

    /// <summary>Decodes frame 0 of the already parsed slice.</summary>
    [Benchmark(Baseline = true)]
    public void DecodeFrame() => _reader?.ReadFrame(0, _frame);

    /// <summary>Parses the in-memory file and decodes its frame.</summary>
    [Benchmark]
    public void ParseAndDecode()
    {
        if (_fileBytes is null)
        {
            return;
        }

        PixelFrameReader.Create(DicomFileReader.Parse(_fileBytes, "cq500"), _registry).ReadFrame(0, _frame);
    }

    /// <summary>
    /// Times read + parse + decode of every given file (or every CQ500 slice), <paramref name="args"/>[0] repetitions
    /// after one warm-up, and prints one "file median_ms" line per file then "median_ms_per_slice X".
    /// </summary>
    public static int RunTiming(string[] args)
    {
        int repetitions = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out int r) ? r : 5;
        var files = args.Length > 1 ? args[1..] : FindCq500Slices().ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine("no CQ500 slices found; nothing timed");
            return 2;
        }

        var registry = CodecRegistry.CreateDefault();
        var medians = new List<double>();
        byte[] frame = [];
        foreach (var path in files)
        {
            var times = new double[repetitions];
            for (int i = -1; i < repetitions; i++)
            {
                long start = Stopwatch.GetTimestamp();
                var reader = PixelFrameReader.Create(DicomFileReader.Open(path), registry);
                if (frame.Length != reader.FrameBytes)
                {
                    frame = new byte[reader.FrameBytes];
                }

                for (int f = 0; f < reader.FrameCount; f++)
                {
                    reader.ReadFrame(f, frame);
                }

                if (i >= 0)
                {
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }

            Array.Sort(times);
            double median = times[repetitions / 2];
            medians.Add(median);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path} {median:F3}"));
        }

        medians.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median_ms_per_slice {medians[medians.Count / 2]:F3}"));
        return 0;
    }

    private static IEnumerable<string> FindCq500Slices()
    {
        var fromEnv = Environment.GetEnvironmentVariable("HEADSUP_SHARED_DATA");
        var roots = new List<string>();
        if (!string.IsNullOrEmpty(fromEnv))
        {
            roots.Add(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            roots.Add(Path.Combine(dir.FullName, "..", "shared", "data"));
        }

        var studies = roots.Select(r => Path.Combine(r, "real-ct-dev", "studies")).FirstOrDefault(Directory.Exists);
        return studies is null
            ? []
            : Directory.GetDirectories(studies, "cq500-*").SelectMany(d => Directory.GetFiles(d, "*.dcm")).Order(StringComparer.Ordinal);
    }
}
