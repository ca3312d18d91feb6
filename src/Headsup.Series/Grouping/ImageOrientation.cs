namespace Headsup.Series.Grouping;

/// <summary>
/// Image Orientation (Patient): the unit direction cosines of the first row and the first column, and the slice
/// normal (row × column) along which slices are ordered.
/// </summary>
public sealed record ImageOrientation
{
    private ImageOrientation(Vector3D row, Vector3D column)
    {
        Row = row;
        Column = column;
        Normal = row.Cross(column).Normalized();
    }

    /// <summary>Direction of increasing column index along a row (unit length).</summary>
    public Vector3D Row { get; }

    /// <summary>Direction of increasing row index along a column (unit length).</summary>
    public Vector3D Column { get; }

    /// <summary>The slice normal, row × column (unit length).</summary>
    public Vector3D Normal { get; }

    /// <summary>The angle between the slice normal and the patient Z axis in degrees, 0..90 (0 for a true axial plane).</summary>
    public double AngleFromAxialDegrees => Normal.LineAngleDegreesTo(Vector3D.UnitZ);

    /// <summary>The angle between the slice normal and the nearest patient axis in degrees, 0..90.</summary>
    public double ObliquityDegrees => Math.Min(
        Math.Min(Normal.LineAngleDegreesTo(new Vector3D(1, 0, 0)), Normal.LineAngleDegreesTo(new Vector3D(0, 1, 0))),
        Normal.LineAngleDegreesTo(Vector3D.UnitZ));

    /// <summary>
    /// Builds the orientation from the six DICOM values. False when there are not six finite values, a vector is
    /// (nearly) zero, or the two vectors are far from perpendicular (more than about 1°).
    /// </summary>
    public static bool TryCreate(IReadOnlyList<double> values, out ImageOrientation orientation)
    {
        orientation = null!;
        if (values is null || values.Count != 6 || values.Any(v => !double.IsFinite(v)))
        {
            return false;
        }

        var row = new Vector3D(values[0], values[1], values[2]);
        var column = new Vector3D(values[3], values[4], values[5]);
        if (row.Length < 1e-6 || column.Length < 1e-6)
        {
            return false;
        }

        row = row.Normalized();
        column = column.Normalized();
        if (Math.Abs(row.Dot(column)) > 0.02)
        {
            return false;
        }

        orientation = new ImageOrientation(row, column);
        return true;
    }

    /// <summary>True when both direction vectors are within the given angle of the other's.</summary>
    public bool IsSameAs(ImageOrientation other, double toleranceDegrees)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Row.AngleDegreesTo(other.Row) <= toleranceDegrees && Column.AngleDegreesTo(other.Column) <= toleranceDegrees;
    }

    /// <inheritdoc/>
    public override string ToString() => $"row {Row}, column {Column}";
}
