using Headsup.Series.Grouping;

namespace Headsup.Series.Sorting;

/// <summary>How the slices of a sorted series were ordered.</summary>
public enum SliceOrdering
{
    /// <summary>By Image Position (Patient) projected on the slice normal.</summary>
    Position,

    /// <summary>By Instance Number, because positions were missing (positions and spacing unknown).</summary>
    InstanceNumber,
}

/// <summary>One slice of a sorted series.</summary>
/// <param name="Instance">The instance header (its source re-opens the pixel data).</param>
/// <param name="PositionMm">Position along the slice normal in mm (Image Position (Patient) · normal); null when ordered by Instance Number.</param>
public sealed record SortedSlice(InstanceHeader Instance, double? PositionMm);

/// <summary>
/// A series with its slices ordered along the slice normal (increasing position), the geometry the stack shares, and
/// every problem found on the way. For a standard axial head CT the normal is +Z, so slices run from feet to head.
/// </summary>
public sealed class SortedSeries
{
    /// <summary>Creates the sorted series.</summary>
    public SortedSeries(
        DicomSeries series,
        IReadOnlyList<SortedSlice> slices,
        SliceOrdering ordering,
        ImageOrientation? orientation,
        PixelSpacingMm? pixelSpacing,
        double? sliceSpacingMm,
        double? tiltDegrees,
        IReadOnlyList<SeriesProblem> problems)
    {
        Series = series;
        Slices = slices;
        Ordering = ordering;
        Orientation = orientation;
        PixelSpacing = pixelSpacing;
        SliceSpacingMm = sliceSpacingMm;
        TiltDegrees = tiltDegrees;
        Problems = problems;
    }

    /// <summary>The series as grouped (all instances, duplicates included).</summary>
    public DicomSeries Series { get; }

    /// <summary>The slices in order, duplicates and position-less instances removed.</summary>
    public IReadOnlyList<SortedSlice> Slices { get; }

    /// <summary>How the slices were ordered.</summary>
    public SliceOrdering Ordering { get; }

    /// <summary>The orientation most instances share; null when none has one.</summary>
    public ImageOrientation? Orientation { get; }

    /// <summary>The pixel spacing most instances share.</summary>
    public PixelSpacingMm? PixelSpacing { get; }

    /// <summary>The median distance between neighbouring slices along the normal (mm); null with fewer than two positioned slices.</summary>
    public double? SliceSpacingMm { get; }

    /// <summary>The angle between the stack direction (first to last position) and the slice normal in degrees; null when unknown.</summary>
    public double? TiltDegrees { get; }

    /// <summary>The problems found, in the order they were checked.</summary>
    public IReadOnlyList<SeriesProblem> Problems { get; }

    /// <summary>The slice positions along the normal (mm), in order; empty when ordered by Instance Number.</summary>
    public IReadOnlyList<double> PositionsMm => Slices.Where(s => s.PositionMm.HasValue).Select(s => s.PositionMm!.Value).ToArray();

    /// <summary>Median Slice Thickness over the slices (mm), when recorded.</summary>
    public double? SliceThicknessMm => Median(Slices.Select(s => s.Instance.SliceThicknessMm).OfType<double>().ToArray());

    /// <summary>True when a problem of the kind was found.</summary>
    public bool Has(SeriesProblemKind kind) => Problems.Any(p => p.Kind == kind);

    /// <inheritdoc/>
    public override string ToString() => $"{Series} sorted: {Slices.Count} slices, {Problems.Count} problems";

    internal static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
