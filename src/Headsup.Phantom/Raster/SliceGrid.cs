namespace Headsup.Phantom.Raster;

/// <summary>
/// The pixel grid of one axial slice: row-major, <see cref="Rows"/> × <see cref="Columns"/>, square pixels of
/// <see cref="PixelSpacingMm"/>. Millimetre coordinates put the origin at the grid centre, x to the right (patient
/// left) and y down (patient posterior), as an axial image with orientation 1\0\0\0\1\0 is displayed.
/// </summary>
public readonly record struct SliceGrid
{
    /// <summary>Creates the grid.</summary>
    public SliceGrid(int rows, int columns, double pixelSpacingMm)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 8);
        if (!(pixelSpacingMm > 0) || !double.IsFinite(pixelSpacingMm))
        {
            throw new ArgumentOutOfRangeException(nameof(pixelSpacingMm), pixelSpacingMm, "pixel spacing must be a positive number of millimetres");
        }

        Rows = rows;
        Columns = columns;
        PixelSpacingMm = pixelSpacingMm;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Pixel size in millimetres (rows and columns alike).</summary>
    public double PixelSpacingMm { get; }

    /// <summary>Number of pixels.</summary>
    public int Length => Rows * Columns;

    /// <summary>The x coordinate (mm) of a column's centre.</summary>
    public double XMm(int column) => (column - ((Columns - 1) * 0.5)) * PixelSpacingMm;

    /// <summary>The y coordinate (mm) of a row's centre.</summary>
    public double YMm(int row) => (row - ((Rows - 1) * 0.5)) * PixelSpacingMm;

    /// <summary>The column (fractional) at an x coordinate in mm.</summary>
    public double ColumnAt(double xMm) => (xMm / PixelSpacingMm) + ((Columns - 1) * 0.5);

    /// <summary>The row (fractional) at a y coordinate in mm.</summary>
    public double RowAt(double yMm) => (yMm / PixelSpacingMm) + ((Rows - 1) * 0.5);

    /// <summary>Throws when a buffer does not hold exactly one slice.</summary>
    public void CheckLength(int length, string parameterName)
    {
        if (length != Length)
        {
            throw new ArgumentException($"buffer holds {length} values but a {Rows}×{Columns} slice needs {Length}", parameterName);
        }
    }
}
