using Headsup.Phantom.Anatomy;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Tests.Lesions;

/// <summary>
/// The insertion tests' slice: a phantom head's level 14 of 30 (through the lateral ventricles), 512² at 0.48 mm, with
/// scanner noise; made once.
/// </summary>
internal static class NoisySlice
{
    private static readonly Lazy<(SliceGrid Grid, float[] Hu, byte[] Mask)> s_value = new(() =>
    {
        var random = new Random(4);
        var head = HeadParameters.Sample(random);
        var grid = new SliceGrid(512, 512, 0.48);
        var renderer = new HeadSliceRenderer(head, grid, 30, 5, random);
        var slice = renderer.Render(14);
        new ScannerNoise().Add(slice.Hu, grid, head.NoiseStdHu, random);
        return (grid, slice.Hu, slice.IntracranialMask);
    });

    /// <summary>The grid, HU and intracranial mask (shared: do not modify).</summary>
    public static (SliceGrid Grid, float[] Hu, byte[] Mask) Value => s_value.Value;
}
