using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Anatomy;

/// <summary>
/// Draws the noise-free axial slices of one phantom head from the skull base (level 0) to the vertex (level 1): scalp,
/// skull with diploe, CSF spaces, cortex with sulci, white matter, deep nuclei, ventricles, falx, posterior fossa and
/// skull-base structures. Shapes are signed distance fields warped by low-frequency noise; edges get partial-volume
/// blurring. One renderer per study; <see cref="Render"/> reuses its scratch buffers, so call it from one thread.
/// </summary>
public sealed class HeadSliceRenderer
{
    private const double PartialVolumeSigmaPixels = 0.75;
    private const double DeformationMm = 3.0;
    private readonly HeadParameters _head;
    private readonly ValueNoise3D _deformX;
    private readonly ValueNoise3D _deformY;
    private readonly ValueNoise3D _gyri;
    private readonly ValueNoise3D _gyriFine;
    private readonly ValueNoise3D _sulcusDepth;
    private readonly ValueNoise3D _texture;
    private readonly ValueNoise3D _diploe;
    private readonly GaussianBlur _partialVolume = new(PartialVolumeSigmaPixels);
    private readonly float[] _bufDeformX;
    private readonly float[] _bufDeformY;
    private readonly float[] _bufGyri;
    private readonly float[] _bufGyriFine;
    private readonly float[] _bufDepth;
    private readonly float[] _bufTexture;
    private readonly float[] _bufDiploe;
    private readonly float[] _bufU;
    private readonly float[] _bufV;

    /// <summary>Creates the renderer; draws the study's noise fields from <paramref name="random"/>.</summary>
    public HeadSliceRenderer(HeadParameters head, SliceGrid grid, int sliceCount, double sliceThicknessMm, Random random)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceCount, 1);
        if (!(sliceThicknessMm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sliceThicknessMm), sliceThicknessMm, "slice thickness must be positive");
        }

        _head = head;
        Grid = grid;
        SliceCount = sliceCount;
        SliceThicknessMm = sliceThicknessMm;
        _deformX = new ValueNoise3D(random, 40);
        _deformY = new ValueNoise3D(random, 40);
        _gyri = new ValueNoise3D(random, 9);
        _gyriFine = new ValueNoise3D(random, 4);
        _sulcusDepth = new ValueNoise3D(random, 22);
        _texture = new ValueNoise3D(random, 5);
        _diploe = new ValueNoise3D(random, 2.2);
        _bufDeformX = new float[grid.Length];
        _bufDeformY = new float[grid.Length];
        _bufGyri = new float[grid.Length];
        _bufGyriFine = new float[grid.Length];
        _bufDepth = new float[grid.Length];
        _bufTexture = new float[grid.Length];
        _bufDiploe = new float[grid.Length];
        _bufU = new float[grid.Length];
        _bufV = new float[grid.Length];
    }

    /// <summary>The pixel grid of every slice.</summary>
    public SliceGrid Grid { get; }

    /// <summary>Number of slices from skull base to vertex.</summary>
    public int SliceCount { get; }

    /// <summary>Slice thickness and spacing (mm).</summary>
    public double SliceThicknessMm { get; }

    /// <summary>Height of slice <paramref name="index"/>'s centre above the bottom of the first slice (mm).</summary>
    public double ZMm(int index) => (index + 0.5) * SliceThicknessMm;

    /// <summary>Normalised level of slice <paramref name="index"/> (skull base 0 … vertex 1).</summary>
    public double Level(int index) => 0.02 + (0.95 * (index + 0.5) / SliceCount);

    /// <summary>Draws slice <paramref name="index"/> (0 = most inferior).</summary>
    public HeadSlice Render(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SliceCount);
        var grid = Grid;
        double t = Level(index);
        double z = t * 150; // noise coordinate: a nominal 150 mm head height keeps textures similar between studies
        _deformX.FillSlice(_bufDeformX, grid, z, 8);
        _deformY.FillSlice(_bufDeformY, grid, z, 8);
        _sulcusDepth.FillSlice(_bufDepth, grid, z, 8);
        _texture.FillSlice(_bufTexture, grid, z, 4);
        _diploe.FillSlice(_bufDiploe, grid, z, 2);

        var level = new LevelGeometry(_head, t);
        var hu = new float[grid.Length];
        var tissue = new TissueClass[grid.Length];
        var mask = new byte[grid.Length];
        double cos = Math.Cos(_head.RotationRad);
        double sin = Math.Sin(_head.RotationRad);
        double sp = grid.PixelSpacingMm;
        double aspect = _head.IntracranialHalfWidthMm / _head.IntracranialHalfLengthMm;
        for (int r = 0; r < grid.Rows; r++)
        {
            double y = grid.YMm(r) - _head.OffsetYMm;
            for (int c = 0; c < grid.Columns; c++)
            {
                int i = (r * grid.Columns) + c;
                double x = grid.XMm(c) - _head.OffsetXMm;
                double u = (cos * x) + (sin * y) + (DeformationMm * _bufDeformX[i]);
                double v = (-sin * x) + (cos * y) + (DeformationMm * _bufDeformY[i]);
                _bufU[i] = (float)u;
                _bufV[i] = (float)v;

                if (Shapes.Ellipse(u, v, _head.IntracranialHalfWidthMm + 6, _head.IntracranialHalfLengthMm + 6) > 0)
                {
                    _bufGyri[i] = 1;
                    _bufGyriFine[i] = 1;
                    continue;
                }

                // Gyri run roughly perpendicular to the surface: sample the pattern in polar coordinates, stretched radially.
                double rho = Math.Sqrt((u * u) + (v * aspect * (v * aspect)));
                double arc = Math.Atan2(v * aspect, u) * 70;
                _bufGyri[i] = _gyri.Sample(arc, rho * 0.45, z);
                _bufGyriFine[i] = _gyriFine.Sample(arc * 1.0, rho * 0.8, z);
            }
        }

        for (int r = 0; r < grid.Rows; r++)
        {
            for (int c = 0; c < grid.Columns; c++)
            {
                int i = (r * grid.Columns) + c;
                double u = _bufU[i];
                double v = _bufV[i];
                if (Shapes.Ellipse(u, v, _head.IntracranialHalfWidthMm + 70, _head.IntracranialHalfLengthMm + 70) > 0)
                {
                    tissue[i] = TissueClass.Air;
                    hu[i] = -1000;
                    continue;
                }

                var pixel = new PixelSample(u, v, GyriDistance(i, r, c, sp), GyriFineDistance(i, r, c, sp), _bufDepth[i], _bufTexture[i], _bufDiploe[i]);
                var cls = level.Classify(pixel);
                tissue[i] = cls;
                mask[i] = cls.IsIntracranial() ? (byte)1 : (byte)0;
                hu[i] = (float)level.Density(cls, pixel);
            }
        }

        _partialVolume.Apply(hu, grid.Rows, grid.Columns);
        return new HeadSlice(grid, ZMm(index), t, hu, tissue, mask);
    }

    private float GyriDistance(int i, int r, int c, double sp) => ZeroLineDistance(_bufGyri, i, r, c, sp, 0.45f, _bufGyriFine);

    private float GyriFineDistance(int i, int r, int c, double sp) => ZeroLineDistance(_bufGyriFine, i, r, c, sp, 0f, null);

    /// <summary>Approximate distance (mm) to the zero line of a noise field, |g| / |∇g|.</summary>
    private float ZeroLineDistance(float[] field, int i, int r, int c, double sp, float fineWeight, float[]? fine)
    {
        var grid = Grid;
        int cols = grid.Columns;
        int left = c > 0 ? i - 1 : i, right = c < cols - 1 ? i + 1 : i;
        int up = r > 0 ? i - cols : i, down = r < grid.Rows - 1 ? i + cols : i;
        float g = field[i], gl = field[left], gr = field[right], gu = field[up], gd = field[down];
        if (fine is not null)
        {
            g += fineWeight * fine[i];
            gl += fineWeight * fine[left];
            gr += fineWeight * fine[right];
            gu += fineWeight * fine[up];
            gd += fineWeight * fine[down];
        }

        float gx = (gr - gl) / (float)(Math.Max(1, right - left) * sp);
        float gy = (gd - gu) / (float)(Math.Max(1, (down - up) / cols) * sp);
        float grad = MathF.Sqrt((gx * gx) + (gy * gy));
        return MathF.Abs(g) / MathF.Max(grad, 1e-4f);
    }
}
