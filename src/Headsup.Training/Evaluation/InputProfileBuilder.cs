using System.Globalization;
using Headsup.Datasets;
using Headsup.Dicom;
using Headsup.Inputs;
using Headsup.Models.Packaging;
using Headsup.Series.Grouping;
using Headsup.Series.Sources;

namespace Headsup.Training.Evaluation;

/// <summary>
/// Builds a package's <see cref="InputProfile"/> from the data it was trained on: the network's pooled features on every
/// real (non-synthetic) training slice — their per-feature mean and standard deviation, and the quantiles of the slices'
/// own standardised distances — and the acquisition ranges of the DICOM among them (slice thickness, pixel spacing,
/// field of view, kernels), read from their headers.
/// </summary>
public static class InputProfileBuilder
{
    /// <summary>Builds the profile; samples that cannot be read are reported in <paramref name="problems"/> and left out.</summary>
    /// <exception cref="ArgumentException">No sample could be read.</exception>
    public static InputProfile Build(ModelPackage package, IReadOnlyList<LabeledSample> samples, ICollection<SampleProblem> problems, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(problems);
        var distinct = samples.DistinctBy(s => (s.File, s.Frame)).ToList();
        var cache = InputCache.Build(distinct, package.InputSpec, problems, progress, cancellationToken);
        return FromCache(package.Network, cache, $"{package.Manifest.Name} {package.Manifest.Version}", problems);
    }

    /// <summary>Builds the profile from the real (non-synthetic) inputs of a training cache.</summary>
    /// <exception cref="ArgumentException">The cache has no real input.</exception>
    public static InputProfile FromCache(Models.Networks.ClassifierNetwork network, InputCache cache, string model, ICollection<SampleProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(problems);
        var real = Enumerable.Range(0, cache.Count).Where(i => !cache.Items[i].Synthetic).ToList();
        if (real.Count == 0)
        {
            throw new ArgumentException("no sample could be read: the input profile needs the training data");
        }

        var all = CachePredictor.Features(network, cache);
        var features = real.Select(i => all[i]).ToArray();
        int width = features[0].Length;
        var mean = new float[width];
        var std = new float[width];
        for (int j = 0; j < width; j++)
        {
            double m = features.Average(f => f[j]);
            double v = features.Sum(f => (f[j] - m) * (f[j] - m)) / Math.Max(1, features.Length - 1);
            mean[j] = (float)m;
            std[j] = (float)Math.Sqrt(v);
        }

        var embedding = new EmbeddingProfile { Mean = mean, Std = std, DistanceQuantiles = new Dictionary<string, double>() };
        var probe = new InputProfile { BuiltFrom = string.Empty, Embedding = embedding };
        var distances = features.Select(f => probe.Distance(f)).Order().ToArray();
        embedding = embedding with
        {
            DistanceQuantiles = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["q50"] = Quantile(distances, 0.50),
                ["q90"] = Quantile(distances, 0.90),
                ["q95"] = Quantile(distances, 0.95),
                ["q99"] = Quantile(distances, 0.99),
            },
        };

        var used = real.Select(i => cache.Items[i].Sample).ToList();
        var sources = string.Join(", ", used.GroupBy(s => s.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
        return new InputProfile
        {
            BuiltFrom = string.Create(CultureInfo.InvariantCulture, $"{used.Count} training slices of {model} ({sources})"),
            Slices = used.Count,
            DisplayImages = used.Count(s => s.Format != ImageFormat.Dicom),
            Embedding = embedding,
            Dicom = DicomRanges(used.Where(s => s.Format == ImageFormat.Dicom).ToList(), problems),
        };
    }

    /// <summary>Linear-interpolated quantile of sorted values (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(sorted.Count - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    private static DicomProfile? DicomRanges(List<LabeledSample> dicom, ICollection<SampleProblem> problems)
    {
        if (dicom.Count == 0)
        {
            return null;
        }

        var headers = new List<InstanceHeader>();
        foreach (var sample in dicom)
        {
            try
            {
                var file = DicomFileReader.Open(sample.File);
                headers.Add(InstanceHeaderReader.Read(file, new FileDicomSource(sample.File, Path.GetFileName(sample.File))));
            }
            catch (Exception ex) when (ex is DicomException or IOException)
            {
                problems.Add(new SampleProblem(sample.File, "input profile: header not readable: " + ex.Message));
            }
        }

        return new DicomProfile
        {
            Series = headers.Select(h => h.SeriesInstanceUid).Distinct(StringComparer.Ordinal).Count(),
            SliceThicknessMm = ValueRange.Of(headers.Select(h => h.SliceThicknessMm).OfType<double>()),
            PixelSpacingMm = ValueRange.Of(headers.Select(h => h.PixelSpacing?.RowSpacingMm).OfType<double>()),
            FieldOfViewMm = ValueRange.Of(headers.Where(h => h.PixelSpacing is not null && h.Columns is not null).Select(h => h.PixelSpacing!.Value.ColumnSpacingMm * h.Columns!.Value)),
            Kernels = headers.Select(h => h.ConvolutionKernel.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList(),
        };
    }
}
