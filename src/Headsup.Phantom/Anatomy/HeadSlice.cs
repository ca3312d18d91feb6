using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Anatomy;

/// <summary>
/// One noise-free phantom slice: HU with partial-volume edges, the tissue map it was drawn from, and the
/// intracranial mask (1 inside the dura).
/// </summary>
public sealed class HeadSlice
{
    /// <summary>Creates the slice; the arrays are kept, not copied.</summary>
    public HeadSlice(SliceGrid grid, double zMm, double level, float[] hu, TissueClass[] tissue, byte[] intracranialMask)
    {
        ArgumentNullException.ThrowIfNull(hu);
        ArgumentNullException.ThrowIfNull(tissue);
        ArgumentNullException.ThrowIfNull(intracranialMask);
        grid.CheckLength(hu.Length, nameof(hu));
        grid.CheckLength(tissue.Length, nameof(tissue));
        grid.CheckLength(intracranialMask.Length, nameof(intracranialMask));
        Grid = grid;
        ZMm = zMm;
        Level = level;
        Hu = hu;
        Tissue = tissue;
        IntracranialMask = intracranialMask;
    }

    /// <summary>The pixel grid.</summary>
    public SliceGrid Grid { get; }

    /// <summary>Height of the slice centre above the skull base (mm).</summary>
    public double ZMm { get; }

    /// <summary>Normalised level: 0 at the skull base, 1 at the vertex.</summary>
    public double Level { get; }

    /// <summary>HU values, row-major (noise-free; lesions are inserted here before noise).</summary>
    public float[] Hu { get; }

    /// <summary>The tissue each pixel was drawn as.</summary>
    public TissueClass[] Tissue { get; }

    /// <summary>1 inside the intracranial space, else 0.</summary>
    public byte[] IntracranialMask { get; }

    /// <summary>1 where the tissue is ventricular CSF, else 0.</summary>
    public byte[] VentricleMask()
    {
        var mask = new byte[Tissue.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = Tissue[i] == TissueClass.Ventricle ? (byte)1 : (byte)0;
        }

        return mask;
    }
}
