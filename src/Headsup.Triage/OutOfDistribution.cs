using System.Globalization;
using Headsup.Models.Packaging;
using Headsup.Series.Sorting;

namespace Headsup.Triage;

/// <summary>One acquisition check against what the model was trained on.</summary>
/// <param name="Check">What was compared (slice thickness, pixel spacing, field of view, kernel).</param>
/// <param name="Value">The study's value.</param>
/// <param name="Training">What training covered.</param>
/// <param name="Ok">True when the value lies within it.</param>
public sealed record OutOfDistributionCheck(string Check, string Value, string Training, bool Ok);

/// <summary>
/// How unlike the model's training data a study is (results.json <c>out_of_distribution</c>): the fraction of its counted
/// slices whose network features lie beyond the 99th percentile of the training slices' own distances, and acquisition
/// checks. <see cref="Warning"/> is set when that fraction reaches <see cref="OutOfDistribution.WarningFraction"/> or a
/// check fails; <see cref="Message"/> then says so in words.
/// </summary>
public sealed record OutOfDistributionResult
{
    /// <summary>Fraction (0–1) of counted slices beyond the training q99 distance; null when the package has no input profile.</summary>
    public double? Score { get; init; }

    /// <summary>True when the study is unlike the training data (by the score or a failed check).</summary>
    public bool Warning { get; init; }

    /// <summary>Median feature distance of the counted slices (about 1 for typical training slices).</summary>
    public double? MedianDistance { get; init; }

    /// <summary>The training slices' 99th percentile distance.</summary>
    public double? TrainingQ99 { get; init; }

    /// <summary>Acquisition checks.</summary>
    public IReadOnlyList<OutOfDistributionCheck> Checks { get; init; } = [];

    /// <summary>The warning in words, or why nothing was checked.</summary>
    public string? Message { get; init; }
}

/// <summary>Computes <see cref="OutOfDistributionResult"/> for a scored series.</summary>
public static class OutOfDistribution
{
    /// <summary>A study whose counted slices are this often beyond the training q99 is flagged as unlike the training data.</summary>
    public const double WarningFraction = 0.5;

    /// <summary>Relative tolerance of the acquisition ranges (10 %).</summary>
    public const double RangeTolerance = 0.1;

    /// <summary>Assesses a series scored with a package that has (or lacks) an input profile.</summary>
    public static OutOfDistributionResult Assess(SortedSeries series, IReadOnlyList<SliceResult> slices, InputProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(slices);
        if (profile is null)
        {
            return new OutOfDistributionResult { Message = "not checked: the model package has no input profile (input-profile.json)" };
        }

        var distances = slices.Where(s => s.InStudyScore && s.FeatureDistance is not null).Select(s => s.FeatureDistance!.Value).Order().ToList();
        double q99 = profile.Embedding.DistanceQuantiles["q99"];
        double? score = distances.Count == 0 ? null : distances.Count(d => d > q99) / (double)distances.Count;
        double? median = distances.Count == 0 ? null : distances[distances.Count / 2];
        var checks = Checks(series, profile.Dicom);
        var reasons = new List<string>();
        if (score >= WarningFraction)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{score:P0} of its slices look unlike every training slice (feature distance beyond the training 99th percentile {q99:0.00})"));
        }

        reasons.AddRange(checks.Where(c => !c.Ok).Select(c => $"{c.Check} {c.Value} (training: {c.Training})"));
        return new OutOfDistributionResult
        {
            Score = score,
            MedianDistance = median,
            TrainingQ99 = q99,
            Checks = checks,
            Warning = reasons.Count > 0,
            Message = reasons.Count > 0 ? "this scanner or format was not in the model's training data: " + string.Join("; ", reasons) : null,
        };
    }

    private static List<OutOfDistributionCheck> Checks(SortedSeries series, DicomProfile? dicom)
    {
        var checks = new List<OutOfDistributionCheck>();
        if (dicom is null)
        {
            checks.Add(new OutOfDistributionCheck("DICOM", "DICOM series", "none: trained on display images only", false));
            return checks;
        }

        void Range(string name, double? value, ValueRange? range, string unit)
        {
            if (value is { } v && range is not null)
            {
                checks.Add(new OutOfDistributionCheck(name, v.ToString("0.###", CultureInfo.InvariantCulture) + " " + unit, range + " " + unit, range.Contains(v, RangeTolerance)));
            }
        }

        Range("slice thickness", series.SliceThicknessMm, dicom.SliceThicknessMm, "mm");
        Range("pixel spacing", series.PixelSpacing?.RowSpacingMm, dicom.PixelSpacingMm, "mm");
        var columns = series.Slices.Select(s => s.Instance.Columns).FirstOrDefault(c => c is not null);
        Range("field of view", series.PixelSpacing is { } spacing && columns is { } n ? spacing.ColumnSpacingMm * n : null, dicom.FieldOfViewMm, "mm");
        var kernel = series.Slices.Select(s => s.Instance.ConvolutionKernel).FirstOrDefault(k => !string.IsNullOrWhiteSpace(k));
        if (kernel is not null && dicom.Kernels.Count > 0)
        {
            checks.Add(new OutOfDistributionCheck("kernel", kernel.Trim(), string.Join(", ", dicom.Kernels), dicom.Kernels.Contains(kernel.Trim(), StringComparer.OrdinalIgnoreCase)));
        }

        return checks;
    }
}
