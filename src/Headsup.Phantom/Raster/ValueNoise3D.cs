namespace Headsup.Phantom.Raster;

/// <summary>
/// Smooth, seeded 3-D value noise in [-1, 1]: random values on a lattice of cell size <see cref="CellMm"/>, interpolated
/// with a quintic fade. Used for low-frequency deformations, gyral patterns and tissue texture.
/// </summary>
public sealed class ValueNoise3D
{
    private const int Size = 64;
    private const int Mask = Size - 1;
    private readonly float[] _lattice = new float[Size * Size * Size];
    private readonly double _offsetX;
    private readonly double _offsetY;
    private readonly double _offsetZ;

    /// <summary>Creates a noise field; the lattice repeats every 64 cells.</summary>
    public ValueNoise3D(Random random, double cellMm)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(cellMm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(cellMm), cellMm, "cell size must be positive");
        }

        CellMm = cellMm;
        for (int i = 0; i < _lattice.Length; i++)
        {
            _lattice[i] = (float)((random.NextDouble() * 2) - 1);
        }

        _offsetX = random.NextDouble() * Size;
        _offsetY = random.NextDouble() * Size;
        _offsetZ = random.NextDouble() * Size;
    }

    /// <summary>Lattice spacing in millimetres.</summary>
    public double CellMm { get; }

    /// <summary>The noise value at a point (mm).</summary>
    public float Sample(double xMm, double yMm, double zMm)
    {
        double x = (xMm / CellMm) + _offsetX;
        double y = (yMm / CellMm) + _offsetY;
        double z = (zMm / CellMm) + _offsetZ;
        int x0 = (int)Math.Floor(x);
        int y0 = (int)Math.Floor(y);
        int z0 = (int)Math.Floor(z);
        float fx = Fade((float)(x - x0));
        float fy = Fade((float)(y - y0));
        float fz = Fade((float)(z - z0));
        int xa = x0 & Mask, xb = (x0 + 1) & Mask;
        int ya = y0 & Mask, yb = (y0 + 1) & Mask;
        int za = z0 & Mask, zb = (z0 + 1) & Mask;
        float c000 = At(xa, ya, za), c100 = At(xb, ya, za), c010 = At(xa, yb, za), c110 = At(xb, yb, za);
        float c001 = At(xa, ya, zb), c101 = At(xb, ya, zb), c011 = At(xa, yb, zb), c111 = At(xb, yb, zb);
        float x00 = c000 + (fx * (c100 - c000));
        float x10 = c010 + (fx * (c110 - c010));
        float x01 = c001 + (fx * (c101 - c001));
        float x11 = c011 + (fx * (c111 - c011));
        float y0v = x00 + (fy * (x10 - x00));
        float y1v = x01 + (fy * (x11 - x01));
        return y0v + (fz * (y1v - y0v));
    }

    /// <summary>Fills a slice with the noise sampled every <paramref name="step"/> pixels and bilinearly upsampled.</summary>
    public void FillSlice(Span<float> destination, SliceGrid grid, double zMm, int step = 4)
    {
        grid.CheckLength(destination.Length, nameof(destination));
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        int coarseCols = ((grid.Columns - 1) / step) + 2;
        int coarseRows = ((grid.Rows - 1) / step) + 2;
        var coarse = new float[coarseRows * coarseCols];
        for (int r = 0; r < coarseRows; r++)
        {
            double y = grid.YMm(r * step);
            for (int c = 0; c < coarseCols; c++)
            {
                coarse[(r * coarseCols) + c] = Sample(grid.XMm(c * step), y, zMm);
            }
        }

        float inv = 1f / step;
        for (int r = 0; r < grid.Rows; r++)
        {
            int r0 = r / step;
            float fr = (r - (r0 * step)) * inv;
            var row = destination.Slice(r * grid.Columns, grid.Columns);
            for (int c = 0; c < grid.Columns; c++)
            {
                int c0 = c / step;
                float fc = (c - (c0 * step)) * inv;
                int i = (r0 * coarseCols) + c0;
                float top = coarse[i] + (fc * (coarse[i + 1] - coarse[i]));
                float bottom = coarse[i + coarseCols] + (fc * (coarse[i + coarseCols + 1] - coarse[i + coarseCols]));
                row[c] = top + (fr * (bottom - top));
            }
        }
    }

    private float At(int x, int y, int z) => _lattice[(((z * Size) + y) * Size) + x];

    private static float Fade(float t) => t * t * t * ((t * ((t * 6) - 15)) + 10);
}
