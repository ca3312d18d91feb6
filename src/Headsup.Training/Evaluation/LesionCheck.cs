using Headsup.Triage;
using Headsup.Imaging.Masks;
using Headsup.Inputs;
using Headsup.Core.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Datasets;
using Headsup.Dicom.Writing;
using Headsup.Evaluation.Intervals;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Training;
using Headsup.Triage.Rendering;
using Headsup.Training.Lesions;

namespace Headsup.Training.Evaluation;

/// <summary>How well one explanation of one positive slice points at its bleed.</summary>
/// <param name="File">The slice.</param>
/// <param name="Method">The explanation method (CLI name).</param>
/// <param name="Probability">Calibrated slice probability of the model.</param>
/// <param name="PointingHit">The heatmap's maximum inside the brain lies within <c>tolerance</c> pixels of the bleed (pointing game).</param>
/// <param name="MaskHit">The top region (top fraction of the brain) overlaps the bleed.</param>
/// <param name="BleedCovered">Fraction of bleed pixels inside the top region.</param>
/// <param name="TopPrecision">Fraction of the top region that is bleed.</param>
/// <param name="ChancePointing">Probability that a uniformly random brain pixel would score a pointing hit (the chance level).</param>
/// <param name="Seconds">Time of the explanation.</param>
/// <param name="Subtype">For a lesion inserted into a negative slice, its subtype; null for a labelled bleed.</param>
/// <param name="BleedPixels">Pixels of the bleed mask.</param>
public sealed record LesionHit(string File, string Method, double Probability, bool PointingHit, bool MaskHit, double BleedCovered, double TopPrecision, double ChancePointing, double Seconds, string? Subtype = null, int BleedPixels = 0);

/// <summary>Hit rates of one method over the slices.</summary>
/// <param name="Method">The method.</param>
/// <param name="N">Slices.</param>
/// <param name="PointingGame">Pointing-game hit rate with its Wilson 95 % interval.</param>
/// <param name="MaskHitRate">Top-region hit rate with its Wilson 95 % interval.</param>
/// <param name="MeanBleedCovered">Mean fraction of the bleed inside the top region.</param>
/// <param name="MeanChancePointing">Mean chance level of the pointing game.</param>
/// <param name="MedianSeconds">Median explanation time.</param>
/// <param name="Group">
/// Which slices: <c>all</c>; <c>model positive</c> / <c>model negative</c> (the model's probability at or above its
/// operating point, or below: is a miss the model's or the method's?); <c>subtype NAME</c> and <c>bleed small|medium|large</c>
/// (under 300, 300–1500, over 1500 pixels) for a breakdown.
/// </param>
public sealed record LesionSummary(string Method, int N, RateInterval PointingGame, RateInterval MaskHitRate, double MeanBleedCovered, double MeanChancePointing, double MedianSeconds, string Group = LesionSummary.All)
{
    /// <summary>The group of every slice.</summary>
    public const string All = "all";
}

/// <summary>How the lesion check explains and scores: methods, explanation options, where it writes, and the scoring rules.</summary>
/// <param name="Methods">The explanation methods.</param>
/// <param name="Explain">Options of the explanations (steps, …).</param>
/// <param name="OutputDirectory">Where lesion-check.json/.csv, report.md and the overlays go.</param>
public sealed record LesionCheckSettings(IReadOnlyList<ExplainMethod> Methods, ExplainOptions Explain, string OutputDirectory)
{
    /// <summary>Top fraction of the brain that forms the top region.</summary>
    public double TopFraction { get; init; } = 0.3;

    /// <summary>Pointing-game tolerance in pixels.</summary>
    public int Tolerance { get; init; } = LesionCheck.DefaultTolerance;

    /// <summary>Overlays written for the first this many slices.</summary>
    public int Overlays { get; init; } = 8;

    /// <summary>Inference precision of the explanations (null = the package's default).</summary>
    public InferencePrecision? Precision { get; init; }
}

/// <summary>One slice to check: where it comes from, and how to get it (read or made only when its turn comes, so memory holds one slice).</summary>
/// <param name="File">The slice's file.</param>
/// <param name="Load">The slice with its bleed; null when no lesion fits the slice (too little brain to insert one).</param>
internal sealed record LesionCase(string File, Func<LesionSlice?> Load);

/// <summary>A slice to check: the image, its bleed mask, and the subtype when the lesion was inserted (null for a labelled bleed).</summary>
internal sealed record LesionSlice(SliceImage Image, byte[] Bleed, string? Subtype);

/// <summary>
/// Do the explanations point at the bleed? For every positive slice that has a bleed mask (labels CSV <c>mask</c>
/// column or masks/&lt;name&gt;.png, as phantoms write them), each method's heatmap (restricted to the brain) is scored by
/// the pointing game (Zhang et al., 2016: the maximum lies within a tolerance of the bleed) and by the top-region hit
/// (the overlay's top fraction of the brain overlaps the bleed), with the chance level of the pointing game
/// (a random brain pixel) beside it. Writes lesion-check.json, lesion-check.csv, report.md and overlays of the first slices.
/// </summary>
public static class LesionCheck
{
    /// <summary>Pointing-game tolerance in slice pixels (Zhang et al. use 15 px).</summary>
    public const int DefaultTolerance = 15;

    /// <summary>Runs the check on the positive samples with masks; returns the per-slice rows and per-method summaries.</summary>
    public static (IReadOnlyList<LesionHit> Rows, IReadOnlyList<LesionSummary> Summaries, IReadOnlyList<SampleProblem> Problems) Run(
        StudyTriager triager,
        IReadOnlyList<LabeledSample> samples,
        LesionCheckSettings settings,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var positives = samples.Where(s => s.AnyKnown && s.Any == 1 && s.MaskFile is not null).ToList();
        var cases = positives.Select(sample => new LesionCase(sample.File, () =>
        {
            var image = SampleImages.Load(sample);
            return new LesionSlice(image, LoadMask(sample.MaskFile!, image.Width, image.Height), null);
        })).ToList();
        return Check(triager, cases, _ => $"{positives.Count} positive slices with a bleed mask out of {samples.Count} samples", settings, progress, cancellationToken);
    }

    /// <summary>
    /// The check on bleeds whose extent is known exactly: lesions inserted (<see cref="LesionSynthesizer"/>, every
    /// subtype by its weight, conspicuity 0.3–1) into <paramref name="count"/> real negative slices drawn evenly from
    /// <paramref name="negatives"/>, at their own matrix (e.g. 512²). Each row carries its subtype and bleed size, and the
    /// summaries are broken down by them and by whether the model found the bleed, so a miss can be told apart as the
    /// model's (it scores the slice negative) or the method's (it scores it positive and the top region misses).
    /// Deterministic for a <paramref name="seed"/>. <paramref name="synthesizer"/> sets the conspicuity range (lower =
    /// smaller and fainter lesions); default 0.3–1.
    /// </summary>
    public static (IReadOnlyList<LesionHit> Rows, IReadOnlyList<LesionSummary> Summaries, IReadOnlyList<SampleProblem> Problems) RunInserted(
        StudyTriager triager,
        IReadOnlyList<LabeledSample> negatives,
        int count,
        int seed,
        LesionCheckSettings settings,
        LesionSynthesizer? synthesizer = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(negatives);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var pool = negatives.Where(s => s.AnyKnown && s.Any == 0).ToList();
        synthesizer ??= new LesionSynthesizer();
        int n = Math.Min(count, pool.Count);
        var cases = Enumerable.Range(0, n).Select(i =>
        {
            var sample = pool[(int)((long)i * pool.Count / n)];
            int caseSeed = unchecked((seed * 7919) + (i * 104_729) + 31);
            return new LesionCase(sample.File, () => synthesizer.Synthesize(SampleImages.Load(sample), new Random(caseSeed)) is { } lesion
                ? new LesionSlice(lesion.Image, lesion.Mask, lesion.Subtype)
                : null);
        }).ToList();
        return Check(
            triager,
            cases,
            noFit => string.Create(CultureInfo.InvariantCulture, $"{n - noFit} lesions inserted into {n} real negative slices taken evenly from {pool.Count} ({noFit} with too little brain for a lesion; conspicuity {synthesizer.MinConspicuity:0.##}–{synthesizer.MaxConspicuity:0.##}; seed {seed})"),
            settings,
            progress,
            cancellationToken);
    }

    private static (IReadOnlyList<LesionHit> Rows, IReadOnlyList<LesionSummary> Summaries, IReadOnlyList<SampleProblem> Problems) Check(
        StudyTriager triager,
        IReadOnlyList<LesionCase> cases,
        Func<int, string> scope,
        LesionCheckSettings settings,
        IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triager);
        ArgumentNullException.ThrowIfNull(settings);
        var (methods, options, outDir) = settings;
        double topFraction = settings.TopFraction;
        int tolerance = settings.Tolerance;
        Directory.CreateDirectory(outDir);
        var rows = new List<LesionHit>();
        var problems = new List<SampleProblem>();
        int done = 0, noFit = 0;
        foreach (var item in cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LesionSlice? slice;
            try
            {
                slice = item.Load();
            }
            catch (Exception ex) when (ex is InputException or DatasetException or Headsup.Dicom.DicomException or IOException)
            {
                problems.Add(new SampleProblem(item.File, ex.Message));
                progress?.Report(++done);
                continue;
            }

            if (slice is null)
            {
                noFit++; // skull-base and vertex slices with too little brain: not an input problem
                progress?.Report(++done);
                continue;
            }

            var (image, bleed, subtype) = slice;
            var file = subtype is null ? item.File : $"{item.File}#inserted-{subtype}";

            int bleedPixels = bleed.Count(v => v != 0);
            if (bleedPixels == 0)
            {
                problems.Add(new SampleProblem(file, "the bleed mask is empty"));
                progress?.Report(++done);
                continue;
            }

            foreach (var method in methods)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (heatmap, region, explanation) = triager.ExplainSlice(image, null, null, method, options, settings.Precision);
                double seconds = clock.Elapsed.TotalSeconds;
                var row = Score(file, StudyTriager.MethodName(method), triager.Package.Manifest.Calibration.Apply(explanation.Logit), heatmap, region, bleed, image.Width, image.Height, topFraction, tolerance, seconds)
                    with { Subtype = subtype, BleedPixels = bleedPixels };
                rows.Add(row);
                int index = done - noFit; // slices without room for a lesion are not cases
                if (index < settings.Overlays)
                {
                    var picture = OverlayRenderer.Explanation(image, heatmap, region, method, topFraction);
                    foreach (int i in HeatmapRegion.Outline(bleed, image.Width, image.Height, 1))
                    {
                        picture.Pixels[3 * i] = 255;
                        picture.Pixels[(3 * i) + 1] = 40;
                        picture.Pixels[(3 * i) + 2] = 40;
                    }

                    var name = Path.GetFileNameWithoutExtension(item.File) + (subtype is null ? "" : $".{index:000}-{subtype}");
                    OverlayRenderer.SavePng(picture, Path.Combine(outDir, $"{name}.{row.Method}.png"));
                }
            }

            progress?.Report(++done);
        }

        var summaries = Summarise(rows, triager.Package.Manifest.Thresholds.OperatingPoint);
        Write(outDir, rows, summaries, problems, scope(noFit), topFraction, tolerance, triager.Provenance);
        return (rows, summaries, problems);
    }

    /// <summary>Per method: all slices, then the breakdowns (model positive/negative at <paramref name="operatingPoint"/>, subtype, bleed size).</summary>
    public static IReadOnlyList<LesionSummary> Summarise(IReadOnlyList<LesionHit> rows, double operatingPoint)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var summaries = new List<LesionSummary>();
        foreach (var method in rows.Select(r => r.Method).Distinct())
        {
            var mine = rows.Where(r => r.Method == method).ToList();
            summaries.Add(Summary(method, LesionSummary.All, mine));
            foreach (var g in mine.GroupBy(r => r.Probability >= operatingPoint ? "model positive" : "model negative").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                summaries.Add(Summary(method, g.Key, g.ToList()));
            }

            foreach (var g in mine.Where(r => r.Subtype is not null).GroupBy(r => r.Subtype!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                summaries.Add(Summary(method, "subtype " + g.Key, g.ToList()));
            }

            foreach (var g in mine.Where(r => r.BleedPixels > 0).GroupBy(r => SizeClass(r.BleedPixels)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                summaries.Add(Summary(method, "bleed " + g.Key, g.ToList()));
            }
        }

        return summaries;
    }

    private static string SizeClass(int pixels) => pixels < 300 ? "1 small (<300 px)" : pixels <= 1500 ? "2 medium (300-1500 px)" : "3 large (>1500 px)";

    private static LesionSummary Summary(string method, string group, List<LesionHit> list)
    {
        var seconds = list.Select(r => r.Seconds).Order().ToList();
        return new LesionSummary(
            method,
            list.Count,
            RateInterval.Wilson(list.Count(r => r.PointingHit), list.Count),
            RateInterval.Wilson(list.Count(r => r.MaskHit), list.Count),
            list.Average(r => r.BleedCovered),
            list.Average(r => r.ChancePointing),
            seconds[seconds.Count / 2],
            group);
    }

    /// <summary>Scores one heatmap against one bleed mask (all planes at the slice's size).</summary>
    public static LesionHit Score(string file, string method, double probability, ReadOnlySpan<float> heatmap, ReadOnlySpan<byte> region, ReadOnlySpan<byte> bleed, int width, int height, double topFraction, int tolerance, double seconds)
    {
        int n = width * height;
        if (heatmap.Length != n || region.Length != n || bleed.Length != n)
        {
            throw new ArgumentException($"heatmap, region and mask must all be {width}×{height}");
        }

        bool anyRegion = false;
        for (int i = 0; i < n && !anyRegion; i++)
        {
            anyRegion = region[i] != 0;
        }

        var near = Morphology.Dilate(bleed, width, height, tolerance);
        int best = -1, nearInBrain = 0, brain = 0;
        for (int i = 0; i < n; i++)
        {
            bool inBrain = !anyRegion || region[i] != 0;
            if (!inBrain)
            {
                continue;
            }

            brain++;
            nearInBrain += near[i] != 0 ? 1 : 0;
            if (best < 0 || heatmap[i] > heatmap[best])
            {
                best = i;
            }
        }

        var top = HeatmapRegion.Top(heatmap, anyRegion ? region : [], topFraction);
        int topCount = 0, overlap = 0, bleedCount = 0;
        for (int i = 0; i < n; i++)
        {
            topCount += top[i];
            bleedCount += bleed[i] != 0 ? 1 : 0;
            overlap += top[i] != 0 && bleed[i] != 0 ? 1 : 0;
        }

        return new LesionHit(
            file,
            method,
            probability,
            best >= 0 && near[best] != 0,
            overlap > 0,
            bleedCount == 0 ? 0 : (double)overlap / bleedCount,
            topCount == 0 ? 0 : (double)overlap / topCount,
            brain == 0 ? 0 : (double)nearInBrain / brain,
            seconds);
    }

    /// <summary>A mask image (nonzero = bleed) at the slice's size; nearest-neighbour resampled when its size differs.</summary>
    /// <exception cref="SliceImageException">The mask is missing or cannot be decoded.</exception>
    public static byte[] LoadMask(string path, int width, int height)
    {
        var image = SliceImageLoader.Load(path);
        var mask = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min(image.Height - 1, (int)((y + 0.5) * image.Height / height));
            for (int x = 0; x < width; x++)
            {
                int sx = Math.Min(image.Width - 1, (int)((x + 0.5) * image.Width / width));
                mask[(y * width) + x] = image.Pixels[(sy * image.Width) + sx] > 0 ? (byte)1 : (byte)0;
            }
        }

        return mask;
    }

    private static void Write(string outDir, List<LesionHit> rows, IReadOnlyList<LesionSummary> summaries, List<SampleProblem> problems, string scope, double topFraction, int tolerance, ModelProvenance model)
    {
        var json = JsonSerializer.Serialize(new { not_for_clinical_use = true, level = "slice (positive slices with a bleed mask)", scope, top_fraction = topFraction, pointing_tolerance_pixels = tolerance, model, summaries, problems = problems.Select(p => new { file = p.File, reason = p.Message }), rows }, TriageJson.Options);
        AtomicFile.Write(Path.Combine(outDir, "lesion-check.json"), s => s.Write(Encoding.UTF8.GetBytes(json)));
        var csv = new StringBuilder("file,method,probability,pointing_hit,mask_hit,bleed_covered,top_precision,chance_pointing,seconds,subtype,bleed_pixels\n");
        foreach (var r in rows)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"\"{r.File.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{r.Method},{r.Probability:0.####},{(r.PointingHit ? 1 : 0)},{(r.MaskHit ? 1 : 0)},{r.BleedCovered:0.####},{r.TopPrecision:0.####},{r.ChancePointing:0.####},{r.Seconds:0.###},{r.Subtype},{r.BleedPixels}"));
        }

        AtomicFile.Write(Path.Combine(outDir, "lesion-check.csv"), s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
        var md = new StringBuilder();
        md.AppendLine("# Lesion check: do the explanations point at the bleed?").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Model {model.Name} {model.Version} ({model.Architecture}, {model.Input}). Slice level: {scope}. Top region = top {topFraction:P0} of the brain; pointing-game tolerance {tolerance} px. 95 % Wilson intervals.").AppendLine();
        md.AppendLine("| method | n | pointing game | chance level | top-region hit | bleed covered | median s |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in summaries.Where(s => s.Group == LesionSummary.All))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Method} | {s.N} | {s.PointingGame.Value:0.000} [{s.PointingGame.Low:0.000}, {s.PointingGame.High:0.000}] | {s.MeanChancePointing:0.000} | {s.MaskHitRate.Value:0.000} [{s.MaskHitRate.Low:0.000}, {s.MaskHitRate.High:0.000}] | {s.MeanBleedCovered:0.000} | {s.MedianSeconds:0.00} |");
        }

        if (summaries.Any(s => s.Group != LesionSummary.All))
        {
            md.AppendLine().AppendLine("Breakdown: *model positive* = the model's probability at or above its operating point (a top-region miss there is the method's); *model negative* = below it (the model did not find the bleed).").AppendLine();
            md.AppendLine("| method | slices | n | pointing game | top-region hit | bleed covered |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var s in summaries.Where(s => s.Group != LesionSummary.All))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Method} | {s.Group} | {s.N} | {s.PointingGame.Value:0.000} [{s.PointingGame.Low:0.000}, {s.PointingGame.High:0.000}] | {s.MaskHitRate.Value:0.000} [{s.MaskHitRate.Low:0.000}, {s.MaskHitRate.High:0.000}] | {s.MeanBleedCovered:0.000} |");
            }
        }

        md.AppendLine().AppendLine("NOT FOR CLINICAL USE — research software, not validated.");
        if (problems.Count > 0)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{problems.Count} slice(s) could not be used: see lesion-check.json.");
        }

        AtomicFile.Write(Path.Combine(outDir, "report.md"), s => s.Write(Encoding.UTF8.GetBytes(md.ToString())));
    }
}
