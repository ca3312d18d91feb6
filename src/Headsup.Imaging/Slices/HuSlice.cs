namespace Headsup.Imaging.Slices;

/// <summary>One CT slice in Hounsfield units (row-major float32) with the geometry needed downstream.</summary>
public sealed class HuSlice
{
    /// <summary>Creates the slice; <paramref name="hu"/> must hold rows × columns values.</summary>
    public HuSlice(float[] hu, int rows, int columns, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(hu);
        if (rows <= 0 || columns <= 0 || hu.Length < rows * columns)
        {
            throw new ArgumentException($"{hu.Length} values do not fill {rows}×{columns}", nameof(hu));
        }

        Hu = hu;
        Rows = rows;
        Columns = columns;
        SourceName = sourceName;
    }

    /// <summary>HU values, row-major.</summary>
    public float[] Hu { get; }

    /// <summary>Rows (height).</summary>
    public int Rows { get; }

    /// <summary>Columns (width).</summary>
    public int Columns { get; }

    /// <summary>File name or other source.</summary>
    public string SourceName { get; }

    /// <summary>Pixel Spacing (row spacing, column spacing) in mm, when known.</summary>
    public (double RowMm, double ColumnMm)? PixelSpacingMm { get; init; }

    /// <summary>Image Position (Patient) in mm, when known.</summary>
    public IReadOnlyList<double>? PositionPatientMm { get; init; }

    /// <summary>SOP Instance UID, when known.</summary>
    public string? SopInstanceUid { get; init; }

    /// <summary>Instance Number, when known.</summary>
    public int? InstanceNumber { get; init; }
}
