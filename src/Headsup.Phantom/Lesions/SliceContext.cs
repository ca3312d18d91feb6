using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Lesions;

/// <summary>
/// What lesion synthesis needs to know about one slice: its grid, HU, the intracranial mask, the distance of each
/// intracranial pixel from the inner table, which pixels hold CSF and which are ventricles. Build it from a phantom slice
/// (exact CSF and ventricle maps) or from a real slice (both estimated from HU).
/// </summary>
public sealed class SliceContext
{
    private const float CsfLowHu = -8f;
    private const float CsfHighHu = 20f;
    private const double DeepVentricleMm = 12;

    private SliceContext(SliceGrid grid, float[] hu, byte[] intracranial, float[] depthMm, byte[] csf, byte[] ventricles)
    {
        Grid = grid;
        Hu = hu;
        Intracranial = intracranial;
        DepthMm = depthMm;
        Csf = csf;
        Ventricles = ventricles;
        double sx = 0, sy = 0;
        int n = 0;
        for (int r = 0; r < grid.Rows; r++)
        {
            for (int c = 0; c < grid.Columns; c++)
            {
                if (intracranial[(r * grid.Columns) + c] != 0)
                {
                    sx += grid.XMm(c);
                    sy += grid.YMm(r);
                    n++;
                }
            }
        }

        IntracranialPixels = n;
        CentroidXMm = n > 0 ? sx / n : 0;
        CentroidYMm = n > 0 ? sy / n : 0;
    }

    /// <summary>The pixel grid.</summary>
    public SliceGrid Grid { get; }

    /// <summary>HU values (not copied).</summary>
    public float[] Hu { get; }

    /// <summary>1 inside the intracranial space.</summary>
    public byte[] Intracranial { get; }

    /// <summary>Distance (mm) from each intracranial pixel to the inner table; 0 outside.</summary>
    public float[] DepthMm { get; }

    /// <summary>1 where the pixel holds CSF (sulci, cisterns, ventricles).</summary>
    public byte[] Csf { get; }

    /// <summary>1 where the pixel is inside a ventricle.</summary>
    public byte[] Ventricles { get; }

    /// <summary>Number of intracranial pixels.</summary>
    public int IntracranialPixels { get; }

    /// <summary>Centroid of the intracranial space, x (mm).</summary>
    public double CentroidXMm { get; }

    /// <summary>Centroid of the intracranial space, y (mm).</summary>
    public double CentroidYMm { get; }

    /// <summary>
    /// The context of a slice to insert into: a private copy of <paramref name="hu"/> and the intracranial mask as 0/1
    /// (any non-zero value counts as inside); CSF and ventricles estimated as in <see cref="Create"/>.
    /// </summary>
    public static SliceContext FromSlice(SliceGrid grid, ReadOnlySpan<float> hu, ReadOnlySpan<byte> intracranialMask)
    {
        grid.CheckLength(intracranialMask.Length, nameof(intracranialMask));
        var binary = new byte[grid.Length];
        for (int i = 0; i < binary.Length; i++)
        {
            binary[i] = intracranialMask[i] != 0 ? (byte)1 : (byte)0;
        }

        return Create(grid, hu.ToArray(), binary);
    }

    /// <summary>
    /// Builds the context from HU and an intracranial mask. CSF is estimated as intracranial pixels whose locally averaged
    /// HU is −8..20 unless <paramref name="csfMask"/> is given; ventricles as CSF deeper than 12 mm from the inner table
    /// unless <paramref name="ventricleMask"/> is given.
    /// </summary>
    public static SliceContext Create(SliceGrid grid, float[] hu, byte[] intracranialMask, byte[]? csfMask = null, byte[]? ventricleMask = null)
    {
        ArgumentNullException.ThrowIfNull(hu);
        ArgumentNullException.ThrowIfNull(intracranialMask);
        grid.CheckLength(hu.Length, nameof(hu));
        grid.CheckLength(intracranialMask.Length, nameof(intracranialMask));
        var depth = DistanceTransform.InsideDistanceMm(intracranialMask, grid);
        byte[] csf;
        if (csfMask is not null)
        {
            grid.CheckLength(csfMask.Length, nameof(csfMask));
            csf = csfMask;
        }
        else
        {
            var smooth = (float[])hu.Clone();
            new GaussianBlur(1.0).Apply(smooth, grid.Rows, grid.Columns);
            csf = new byte[hu.Length];
            for (int i = 0; i < csf.Length; i++)
            {
                csf[i] = intracranialMask[i] != 0 && smooth[i] >= CsfLowHu && smooth[i] <= CsfHighHu ? (byte)1 : (byte)0;
            }
        }

        byte[] ventricles;
        if (ventricleMask is not null)
        {
            grid.CheckLength(ventricleMask.Length, nameof(ventricleMask));
            ventricles = ventricleMask;
        }
        else
        {
            ventricles = new byte[hu.Length];
            for (int i = 0; i < ventricles.Length; i++)
            {
                ventricles[i] = csf[i] != 0 && depth[i] > DeepVentricleMm ? (byte)1 : (byte)0;
            }
        }

        return new SliceContext(grid, hu, intracranialMask, depth, csf, ventricles);
    }
}
