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
public sealed record LesionHit(string File, string Method, double Probability, bool PointingHit, bool MaskHit, double BleedCovered, double TopPrecision, double ChancePointing, double Seconds);

/// <summary>Hit rates of one method over the slices.</summary>
/// <param name="Method">The method.</param>
/// <param name="N">Slices.</param>
/// <param name="PointingGame">Pointing-game hit rate with its Wilson 95 % interval.</param>
/// <param name="MaskHitRate">Top-region hit rate with its Wilson 95 % interval.</param>
/// <param name="MeanBleedCovered">Mean fraction of the bleed inside the top region.</param>
/// <param name="MeanChancePointing">Mean chance level of the pointing game.</param>
/// <param name="MedianSeconds">Median explanation time.</param>
public sealed record LesionSummary(string Method, int N, RateInterval PointingGame, RateInterval MaskHitRate, double MeanBleedCovered, double MeanChancePointing, double MedianSeconds);

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
        IReadOnlyList<ExplainMethod> methods,
        ExplainOptions options,
        string outDir,
        double topFraction = 0.3,
        int tolerance = DefaultTolerance,
        int overlays = 8,
        InferencePrecision? precision = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(triager);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(methods);
        Directory.CreateDirectory(outDir);
        var rows = new List<LesionHit>();
        var problems = new List<SampleProblem>();
        var positives = samples.Where(s => s.AnyKnown && s.Any == 1 && s.MaskFile is not null).ToList();
        int done = 0;
        foreach (var sample in positives)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SliceImage image;
            byte[] bleed;
            try
            {
                image = SampleImages.Load(sample);
                bleed = LoadMask(sample.MaskFile!, image.Width, image.Height);
            }
            catch (Exception ex) when (ex is InputException or DatasetException)
            {
                problems.Add(new SampleProblem(sample.File, ex.Message));
                progress?.Report(++done);
                continue;
            }

            if (!bleed.Any(v => v != 0))
            {
                problems.Add(new SampleProblem(sample.File, "the bleed mask is empty"));
                progress?.Report(++done);
                continue;
            }

            foreach (var method in methods)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (heatmap, region, explanation) = triager.ExplainSlice(image, null, null, method, options, precision);
                double seconds = clock.Elapsed.TotalSeconds;
                var row = Score(sample.File, StudyTriager.MethodName(method), triager.Package.Manifest.Calibration.Apply(explanation.Logit), heatmap, region, bleed, image.Width, image.Height, topFraction, tolerance, seconds);
                rows.Add(row);
                if (done < overlays)
                {
                    var picture = OverlayRenderer.Explanation(image, heatmap, region, method, topFraction);
                    foreach (int i in HeatmapRegion.Outline(bleed, image.Width, image.Height, 1))
                    {
                        picture.Pixels[3 * i] = 255;
                        picture.Pixels[(3 * i) + 1] = 40;
                        picture.Pixels[(3 * i) + 2] = 40;
                    }

                    OverlayRenderer.SavePng(picture, Path.Combine(outDir, $"{Path.GetFileNameWithoutExtension(sample.File)}.{row.Method}.png"));
                }
            }

            progress?.Report(++done);
        }

        var summaries = rows.GroupBy(r => r.Method).Select(g =>
        {
            var list = g.ToList();
            var seconds = list.Select(r => r.Seconds).Order().ToList();
            return new LesionSummary(
                g.Key,
                list.Count,
                RateInterval.Wilson(list.Count(r => r.PointingHit), list.Count),
                RateInterval.Wilson(list.Count(r => r.MaskHit), list.Count),
                list.Average(r => r.BleedCovered),
                list.Average(r => r.ChancePointing),
                seconds[seconds.Count / 2]);
        }).ToList();
        Write(outDir, rows, summaries, problems, positives.Count, samples.Count, topFraction, tolerance, triager.Provenance);
        return (rows, summaries, problems);
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

    private static void Write(string outDir, List<LesionHit> rows, List<LesionSummary> summaries, List<SampleProblem> problems, int positives, int samples, double topFraction, int tolerance, ModelProvenance model)
    {
        var json = JsonSerializer.Serialize(new { not_for_clinical_use = true, level = "slice (positive slices with a bleed mask)", samples, positives_with_masks = positives, top_fraction = topFraction, pointing_tolerance_pixels = tolerance, model, summaries, problems = problems.Select(p => new { file = p.File, reason = p.Message }), rows }, TriageJson.Options);
        AtomicFile.Write(Path.Combine(outDir, "lesion-check.json"), s => s.Write(Encoding.UTF8.GetBytes(json)));
        var csv = new StringBuilder("file,method,probability,pointing_hit,mask_hit,bleed_covered,top_precision,chance_pointing,seconds\n");
        foreach (var r in rows)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"\"{r.File.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{r.Method},{r.Probability:0.####},{(r.PointingHit ? 1 : 0)},{(r.MaskHit ? 1 : 0)},{r.BleedCovered:0.####},{r.TopPrecision:0.####},{r.ChancePointing:0.####},{r.Seconds:0.###}"));
        }

        AtomicFile.Write(Path.Combine(outDir, "lesion-check.csv"), s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
        var md = new StringBuilder();
        md.AppendLine("# Lesion check: do the explanations point at the bleed?").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Model {model.Name} {model.Version} ({model.Architecture}, {model.Input}). Slice level: {positives} positive slices with a bleed mask out of {samples} samples. Top region = top {topFraction:P0} of the brain; pointing-game tolerance {tolerance} px. 95 % Wilson intervals.").AppendLine();
        md.AppendLine("| method | n | pointing game | chance level | top-region hit | bleed covered | median s |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in summaries)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Method} | {s.N} | {s.PointingGame.Value:0.000} [{s.PointingGame.Low:0.000}, {s.PointingGame.High:0.000}] | {s.MeanChancePointing:0.000} | {s.MaskHitRate.Value:0.000} [{s.MaskHitRate.Low:0.000}, {s.MaskHitRate.High:0.000}] | {s.MeanBleedCovered:0.000} | {s.MedianSeconds:0.00} |");
        }

        md.AppendLine().AppendLine("NOT FOR CLINICAL USE — research software, not validated.");
        if (problems.Count > 0)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{problems.Count} slice(s) could not be used: see lesion-check.json.");
        }

        AtomicFile.Write(Path.Combine(outDir, "report.md"), s => s.Write(Encoding.UTF8.GetBytes(md.ToString())));
    }
}
