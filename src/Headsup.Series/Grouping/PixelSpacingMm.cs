namespace Headsup.Series.Grouping;

/// <summary>Pixel Spacing: the distance between adjacent rows and between adjacent columns, in millimetres.</summary>
public readonly record struct PixelSpacingMm(double RowSpacingMm, double ColumnSpacingMm)
{
    /// <summary>True when both spacings are within the tolerance of the other's.</summary>
    public bool IsSameAs(PixelSpacingMm other, double toleranceMm) =>
        Math.Abs(RowSpacingMm - other.RowSpacingMm) <= toleranceMm && Math.Abs(ColumnSpacingMm - other.ColumnSpacingMm) <= toleranceMm;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RowSpacingMm:0.####}\\{ColumnSpacingMm:0.####} mm");
}
