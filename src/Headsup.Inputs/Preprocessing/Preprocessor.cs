using System.Diagnostics;
using Headsup.Dicom.Codecs;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Recipes;
using Headsup.Series;
using Headsup.Series.Grouping;
using Headsup.Series.Sorting;

namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// Converts every CT image of an input to model inputs on disk (the `headsup preprocess` job): scans the headers, then
/// converts on <see cref="PreprocessOptions.MaxDegreeOfParallelism"/> threads, each with its own reused buffers, and
/// writes each output through a temporary name. A file that cannot be read or is not CT is reported in
/// <see cref="PreprocessResult.Failures"/> and the rest go on.
/// </summary>
public sealed class Preprocessor
{
    private readonly PreprocessOptions _options;
    private readonly IFrameDecoderRegistry _codecs;

    /// <summary>Creates the preprocessor.</summary>
    /// <param name="options">What to convert and how.</param>
    /// <param name="codecs">Decoders for compressed pixel data; <see cref="CodecRegistry.CreateDefault"/> when null.</param>
    public Preprocessor(PreprocessOptions options, IFrameDecoderRegistry? codecs = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _codecs = codecs ?? CodecRegistry.CreateDefault();
    }

    /// <summary>Runs the job.</summary>
    /// <param name="progress">Receives scan progress, then a report after each image (from the converting threads).</param>
    /// <param name="cancellationToken">Stops the scan between files and the conversion between images.</param>
    /// <exception cref="PreprocessOutputException">The output folder cannot be created.</exception>
    /// <exception cref="ScanInputException">The input does not exist or cannot be listed.</exception>
    /// <exception cref="NoDicomFoundException">Nothing in the input is DICOM.</exception>
    /// <exception cref="Headsup.Series.Sources.ArchiveException">The input is a zip archive that is unsafe, too large or corrupt.</exception>
    public PreprocessResult Run(IProgress<PreprocessProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(_options.OutputFolder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PreprocessOutputException(_options.OutputFolder, ex);
        }

        var clock = Stopwatch.StartNew();
        var scanProgress = progress is null ? null : new ScanProgressForwarder(progress);
        var scan = StudyScanner.Scan(_options.Input, progress: scanProgress, cancellationToken: cancellationToken);
        scan.ThrowIfNoDicomFound();
        var units = Units(scan, _options.Recipe);
        var scanTime = clock.Elapsed;

        var tally = new PreprocessTally(units.Sum(u => u.Length), progress);
        foreach (var failure in scan.Failures)
        {
            tally.Fail(failure.Source, failure.Reason);
        }

        progress?.Report(new PreprocessProgress(PreprocessStage.Converting, 0, tally.Images));
        RunUnits(units, tally, cancellationToken);
        return new PreprocessResult
        {
            SourcesScanned = scan.SourcesScanned,
            Images = tally.Images,
            Written = tally.Written,
            Failures = tally.SortedFailures(),
            ScanTime = scanTime,
            ConvertTime = clock.Elapsed - scanTime,
        };
    }

    /// <summary>
    /// Units of work, each worked through in order by one thread: a sorted series for recipes that need neighbours
    /// (each slice is decoded once and kept while it is a neighbour), else single instances.
    /// </summary>
    private static List<InstanceHeader[]> Units(ScanResult scan, RecipeOptions recipe)
    {
        var units = new List<InstanceHeader[]>();
        foreach (var series in scan.Studies.SelectMany(study => study.Series))
        {
            if (recipe.NeedsNeighbours)
            {
                units.Add(SliceSorter.Sort(series).Slices.Select(s => s.Instance).ToArray());
            }
            else
            {
                units.AddRange(series.Instances.Select(i => new[] { i }));
            }
        }

        return units;
    }

    /// <summary>
    /// Runs the units on up to MaxDegreeOfParallelism threads (the calling thread is one of them). Each thread keeps one
    /// converter, so buffers are allocated once per thread, not per image, and memory stays bounded.
    /// </summary>
    private void RunUnits(List<InstanceHeader[]> units, PreprocessTally tally, CancellationToken cancellationToken)
    {
        int next = -1;
        int threads = Math.Max(1, Math.Min(_options.MaxDegreeOfParallelism, units.Count));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        Parallel.For(0, threads, parallel, (_, state) =>
        {
            using var converter = new UnitConverter(_options, _codecs, tally);
            int index;
            while (!state.ShouldExitCurrentIteration && (index = Interlocked.Increment(ref next)) < units.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                converter.Convert(units[index], cancellationToken);
            }
        });
    }

    /// <summary>
    /// Turns scan progress into preprocess progress. The scanner reports after each source, before it counts the input
    /// file that source belongs to as done, so that file is counted here (an archive counts once, as in the scanner).
    /// </summary>
    private sealed class ScanProgressForwarder(IProgress<PreprocessProgress> target) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) =>
            target.Report(new PreprocessProgress(PreprocessStage.Scanning, Math.Min(value.InputFilesScanned + 1, value.InputFilesTotal), value.InputFilesTotal));
    }
}
