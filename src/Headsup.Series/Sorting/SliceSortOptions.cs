namespace Headsup.Series.Sorting;

/// <summary>Tolerances for sorting slices and reporting problems.</summary>
public sealed record SliceSortOptions
{
    /// <summary>Default tolerances.</summary>
    public static readonly SliceSortOptions Default = new();

    /// <summary>Slices closer than this along the normal are duplicates (mm).</summary>
    public double DuplicatePositionToleranceMm { get; init; } = 0.01;

    /// <summary>A step larger than this many times the median spacing is a gap.</summary>
    public double GapFactor { get; init; } = 1.5;

    /// <summary>Orientations whose direction vectors differ by more than this are inconsistent (degrees).</summary>
    public double OrientationToleranceDegrees { get; init; } = 0.5;

    /// <summary>Pixel spacings that differ by more than this are inconsistent (mm).</summary>
    public double PixelSpacingToleranceMm { get; init; } = 0.001;

    /// <summary>A normal further than this from every patient axis is reported as oblique (degrees).</summary>
    public double ObliqueThresholdDegrees { get; init; } = 1.0;

    /// <summary>Positions stepping further than this off the normal are reported as gantry tilt (degrees).</summary>
    public double TiltThresholdDegrees { get; init; } = 1.0;
}
