using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Lesions;

/// <summary>
/// Inserts a synthetic hemorrhage into one HU slice — a phantom slice or a real one — for data augmentation. The
/// slice's own noise is kept inside the lesion so the result matches the rest of the image.
/// </summary>
public static class LesionInserter
{
    /// <summary>
    /// Inserts a hemorrhage of <paramref name="subtype"/> into <paramref name="hu"/> (row-major, grid.Rows × grid.Columns).
    /// <paramref name="intracranialMask"/> is non-zero inside the skull (brain and CSF); <paramref name="conspicuity"/>
    /// runs from 0 (subtle) to 1 (obvious). CSF and ventricles are estimated from HU. The input is not modified.
    /// </summary>
    public static LesionInsertion Insert(
        ReadOnlySpan<float> hu,
        SliceGrid grid,
        ReadOnlySpan<byte> intracranialMask,
        HemorrhageSubtype subtype,
        double conspicuity,
        Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        grid.CheckLength(hu.Length, nameof(hu));
        grid.CheckLength(intracranialMask.Length, nameof(intracranialMask));
        var copy = hu.ToArray();
        var mask = new byte[grid.Length];
        var context = SliceContext.FromSlice(grid, hu, intracranialMask);
        if (!LesionPlanner.TryPlan(subtype, conspicuity, context, random, out var plan))
        {
            return new LesionInsertion(copy, mask, 0, null);
        }

        int count = LesionRenderer.Render(plan, context, 1.0, copy, mask, preserveTexture: true);
        return new LesionInsertion(copy, mask, count, plan);
    }
}
