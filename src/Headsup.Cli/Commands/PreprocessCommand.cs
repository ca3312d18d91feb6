using Headsup.Core.IO;
using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;
using Headsup.Series;
using Headsup.Series.Grouping;
using Headsup.Series.Sorting;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup preprocess &lt;input&gt; --recipe hu|e1|e2|e3|e4|context [--size N] [--format npy|png] --out &lt;dir&gt;`.
/// The output mirrors the input: &lt;out&gt;/&lt;path relative to the input&gt;.npy (or .png); multi-frame files get
/// .frameK before the extension. npy arrays are float32 (uint8 for e3), H×W for one channel, H×W×C otherwise.
/// </summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A DICOM file, a folder (recursive) or a .zip" };
        var recipe = new Option<string>("--recipe") { Description = "hu, e1, e2, e3, e4 or context", Required = true };
        recipe.AcceptOnlyFromAmong("hu", "e1", "e2", "e3", "e4", "context");
        var size = new Option<int?>("--size") { Description = "Resize to N×N (default: keep rows × columns)" };
        var format = new Option<string>("--format") { Description = "npy or png", DefaultValueFactory = _ => "npy" };
        format.AcceptOnlyFromAmong("npy", "png");
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var resize = new Option<string>("--resize") { Description = "area or bilinear", DefaultValueFactory = _ => "area" };
        resize.AcceptOnlyFromAmong("area", "bilinear");
        var crop = new Option<bool>("--crop-head") { Description = "Crop to the head (square box) before resizing" };
        var e3Mode = new Option<string>("--e3-quantization") { Description = "rounded (correct) or paper (uint8 of [0,1] floats, as the paper's code)", DefaultValueFactory = _ => "rounded" };
        e3Mode.AcceptOnlyFromAmong("rounded", "paper");
        var alpha = new Option<float>("--e4-alpha") { Description = "E4 red weight", DefaultValueFactory = _ => 1f };
        var beta = new Option<float>("--e4-beta") { Description = "E4 green/blue weight", DefaultValueFactory = _ => 0.5f };
        var context = new Option<string>("--context-channels") { Description = "brain (3 channels) or windows (9 channels)", DefaultValueFactory = _ => "brain" };
        context.AcceptOnlyFromAmong("brain", "windows");
        var brain = new Option<string>("--brain-window") { Description = "center/width", DefaultValueFactory = _ => "40/80" };
        var subdural = new Option<string>("--subdural-window") { Description = "center/width", DefaultValueFactory = _ => "80/200" };
        var soft = new Option<string>("--soft-window") { Description = "center/width", DefaultValueFactory = _ => "40/380" };
        var noRsna = new Option<bool>("--no-rsna-fix") { Description = "Do not apply the paper's RSNA 12-bit correction" };

        var command = new Command("preprocess", "Convert DICOM CT to model inputs (HU, the paper's E1–E4, 2.5D context)")
        {
            input, recipe, size, format, output, resize, crop, e3Mode, alpha, beta, context, brain, subdural, soft, noRsna,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            RecipeOptions options;
            try
            {
                options = new RecipeOptions
                {
                    Kind = Enum.Parse<RecipeKind>(parse.GetValue(recipe)!, ignoreCase: true),
                    Size = parse.GetValue(size),
                    ResizeMethod = parse.GetValue(resize) == "bilinear" ? ResizeMethod.Bilinear : ResizeMethod.Area,
                    CropToHead = parse.GetValue(crop),
                    E3Mode = parse.GetValue(e3Mode) == "paper" ? E3Quantization.PaperTruncation : E3Quantization.Rounded,
                    E4RedWeight = parse.GetValue(alpha),
                    E4GreenBlueWeight = parse.GetValue(beta),
                    ContextChannels = parse.GetValue(context) == "windows" ? ContextChannels.ThreeWindows : ContextChannels.Brain,
                    BrainWindow = HuWindow.Parse(parse.GetValue(brain)!),
                    SubduralWindow = HuWindow.Parse(parse.GetValue(subdural)!),
                    SoftTissueWindow = HuWindow.Parse(parse.GetValue(soft)!),
                };
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new UsageException(ex.Message);
            }

            var job = new PreprocessJob(parse.GetValue(input)!, parse.GetValue(output)!, options, parse.GetValue(format)!, !parse.GetValue(noRsna));
            return Task.FromResult(job.Run(cancellationToken));
        });
        return command;
    }
}

/// <summary>One preprocess run: scan, then convert every CT image in parallel, reporting failures per file.</summary>
internal sealed class PreprocessJob
{
    private readonly string _input;
    private readonly string _output;
    private readonly RecipeOptions _options;
    private readonly string _format;
    private readonly bool _rsnaFix;
    private readonly CodecRegistry _codecs = CodecRegistry.CreateDefault();
    private readonly ConcurrentBag<string> _failures = [];
    private int _written;

    public PreprocessJob(string input, string output, RecipeOptions options, string format, bool rsnaFix)
    {
        _input = input;
        _output = output;
        _options = options;
        _format = format;
        _rsnaFix = rsnaFix;
    }

    public int Run(CancellationToken cancellationToken)
    {
        if (!File.Exists(_input) && !Directory.Exists(_input))
        {
            throw new ScanInputException(_input, "no such file or folder");
        }

        if (_format == "png" && (_options.Kind == RecipeKind.Hu || _options.Channels > 3))
        {
            throw new UsageException($"--format png cannot hold recipe {_options.Kind} ({_options.Channels} channel(s) of {(_options.Kind == RecipeKind.Hu ? "HU" : "windows")}); use --format npy");
        }

        try
        {
            Directory.CreateDirectory(_output);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot create output folder '{_output}': {ex.Message}");
            return ExitCodes.CouldNotRun;
        }

        var scan = StudyScanner.Scan(_input, cancellationToken: cancellationToken);
        foreach (var failure in scan.Failures)
        {
            _failures.Add($"{failure.Source}: {failure.Reason}");
        }

        var builder = new RecipeBuilder(_options);

        // A unit is worked through in order by one thread: a sorted series for the context recipe (each slice is
        // decoded once and kept while it is a neighbour), else a single instance. Units run in parallel.
        var units = new List<InstanceHeader[]>();
        foreach (var series in scan.Studies.SelectMany(study => study.Series))
        {
            if (_options.NeedsNeighbours)
            {
                units.Add(SliceSorter.Sort(series).Slices.Select(s => s.Instance).ToArray());
            }
            else
            {
                units.AddRange(series.Instances.Select(i => new[] { i }));
            }
        }

        int images = units.Sum(u => u.Length);
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"preprocess {_options.Kind.ToString().ToLowerInvariant()}", maxValue: Math.Max(1, images));
                Parallel.ForEach(
                    units,
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                    unit => ProcessUnit(builder, unit, () => task.Increment(1)));
            });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"preprocess: {scan.SourcesScanned} file(s) scanned, {images} image(s), {_written} output(s) written to {_output}, recipe {_options.Kind.ToString().ToLowerInvariant()} ({_options.Channels} channel(s){(_options.Size is { } n ? $", {n}×{n}" : string.Empty)}), {_failures.Count} failure(s)"));
        foreach (var failure in _failures.Order(StringComparer.Ordinal))
        {
            Console.Error.WriteLine("failed: " + failure);
        }

        scan.ThrowIfNoDicomFound();
        return _failures.IsEmpty ? ExitCodes.Ok : ExitCodes.SomeInputsFailed;
    }

    private void ProcessUnit(RecipeBuilder builder, InstanceHeader[] unit, Action done)
    {
        // Loaded slices of this unit by index; at most three are held (previous, current, next).
        var loaded = new Dictionary<int, LoadedSlice>();
        LoadedSlice At(int index)
        {
            if (!loaded.TryGetValue(index, out var slice))
            {
                slice = LoadedSlice.Load(unit[index], _codecs, _rsnaFix);
                loaded[index] = slice;
            }

            return slice;
        }

        for (int i = 0; i < unit.Length; i++)
        {
            loaded.Remove(i - 2);
            var instance = unit[i];
            try
            {
                if (!string.Equals(instance.Modality, "CT", StringComparison.Ordinal))
                {
                    throw new NotCtException($"modality '{instance.Modality}' is not CT: Hounsfield recipes do not apply");
                }

                var current = At(i);
                var before = i > 0 ? At(i - 1).Require() : null;
                var after = i + 1 < unit.Length ? At(i + 1).Require() : null;
                WriteFrames(builder, instance, current, before, after);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                _failures.Add($"{instance.Source.Location}: {ex.Message}");
            }

            done();
        }
    }

    private void WriteFrames(RecipeBuilder builder, InstanceHeader instance, LoadedSlice current, HuSlice? before, HuSlice? after)
    {
        var file = current.RequireFile();
        int frames = file.Dataset.TryGetInt32(DicomTags.NumberOfFrames, out var nf) ? nf : 1;
        for (int frame = 0; frame < frames; frame++)
        {
            var slice = frame == 0 ? current.Require() : HuSliceLoader.Load(file, _codecs, frame, _rsnaFix);
            var tensor = builder.Build(slice, before, after);
            var suffix = frames > 1 ? string.Create(CultureInfo.InvariantCulture, $".frame{frame}") : string.Empty;
            var path = Path.Combine(_output, instance.Source.Name + suffix + "." + _format);
            AtomicFile.Write(path, stream => Write(stream, tensor));
            Interlocked.Increment(ref _written);
        }
    }

    private static bool IsInputFailure(Exception ex) =>
        ex is DicomException or NotCtException or IOException or UnauthorizedAccessException or InvalidDataException;

    private void Write(Stream stream, RecipeTensor tensor)
    {
        int[] shape = tensor.Channels == 1 ? [tensor.Height, tensor.Width] : [tensor.Height, tensor.Width, tensor.Channels];
        if (_format == "npy")
        {
            if (tensor.Bytes is not null)
            {
                NpyWriter.Write(stream, tensor.ToHwcBytes(), shape);
            }
            else
            {
                NpyWriter.Write(stream, tensor.ToHwcFloats(), shape);
            }

            return;
        }

        var bytes = tensor.Bytes is not null ? tensor.ToHwcBytes() : RecipeBuilder.Quantize(tensor.ToHwcFloats(), E3Quantization.Rounded);
        PngWriter.Write(stream, bytes, tensor.Width, tensor.Height, tensor.Channels);
    }

    private sealed class NotCtException(string message) : Exception(message);

    /// <summary>A file and its first frame in HU, or why it could not be read (reported for it and its neighbours).</summary>
    private sealed class LoadedSlice
    {
        private DicomFile? _file;
        private HuSlice? _slice;
        private Exception? _error;

        public static LoadedSlice Load(InstanceHeader instance, CodecRegistry codecs, bool rsnaFix)
        {
            var loaded = new LoadedSlice();
            try
            {
                loaded._file = instance.Source.Open();
                loaded._slice = HuSliceLoader.Load(loaded._file, codecs, 0, rsnaFix);
            }
            catch (Exception ex) when (IsInputFailure(ex))
            {
                loaded._error = ex;
            }

            return loaded;
        }

        /// <summary>The file; throws the load error (a reported input failure) when it could not be read.</summary>
        public DicomFile RequireFile() => _slice is not null ? _file! : throw _error!;

        /// <summary>The first frame in HU; throws the load error when it could not be read.</summary>
        public HuSlice Require() => _slice ?? throw _error!;
    }
}
