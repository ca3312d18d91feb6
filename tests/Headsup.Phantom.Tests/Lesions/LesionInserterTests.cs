using Headsup.Phantom.Lesions;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Tests.Lesions;

public sealed class LesionInserterTests
{
    public static TheoryData<HemorrhageSubtype> Subtypes => new(HemorrhageSubtypes.All);

    [Theory]
    [MemberData(nameof(Subtypes))]
    public void Insert_NoisySlice_LesionMeanHuWithinBloodRange(HemorrhageSubtype subtype)
    {
        var (grid, hu, mask) = NoisySlice.Value;
        foreach (double conspicuity in new[] { 0.0, 0.5, 1.0 })
        {
            var result = LesionInserter.Insert(hu, grid, mask, subtype, conspicuity, new Random(9));
            Assert.True(result.Inserted, $"{subtype} at {conspicuity} was not placed");
            double mean = 0;
            for (int i = 0; i < hu.Length; i++)
            {
                if (result.Mask[i] != 0)
                {
                    mean += result.Hu[i];
                    Assert.NotEqual(0, mask[i]);
                }
            }

            mean /= result.PixelCount;
            Assert.InRange(mean, 50, 90);
            Assert.Equal(result.PixelCount, result.Mask.Count(b => b != 0));
        }
    }

    [Theory]
    [MemberData(nameof(Subtypes))]
    public void Insert_AnySubtype_OnlyIntracranialPixelsChange(HemorrhageSubtype subtype)
    {
        var (grid, hu, mask) = NoisySlice.Value;
        var before = (float[])hu.Clone();
        var result = LesionInserter.Insert(hu, grid, mask, subtype, 0.8, new Random(3));
        Assert.Equal(before, hu);
        for (int i = 0; i < hu.Length; i++)
        {
            if (mask[i] == 0)
            {
                Assert.Equal(hu[i], result.Hu[i]);
            }
        }
    }

    [Fact]
    public void Insert_HigherConspicuity_LargerLesion()
    {
        var (grid, hu, mask) = NoisySlice.Value;
        foreach (var subtype in new[] { HemorrhageSubtype.Intraparenchymal, HemorrhageSubtype.Subdural, HemorrhageSubtype.Epidural })
        {
            var subtle = LesionInserter.Insert(hu, grid, mask, subtype, 0.0, new Random(5));
            var obvious = LesionInserter.Insert(hu, grid, mask, subtype, 1.0, new Random(5));
            Assert.True(obvious.PixelCount > 2 * subtle.PixelCount, $"{subtype}: {subtle.PixelCount} vs {obvious.PixelCount}");
        }
    }

    [Fact]
    public void Insert_SameSeed_SameResult()
    {
        var (grid, hu, mask) = NoisySlice.Value;
        var a = LesionInserter.Insert(hu, grid, mask, HemorrhageSubtype.Subarachnoid, 0.6, new Random(12));
        var b = LesionInserter.Insert(hu, grid, mask, HemorrhageSubtype.Subarachnoid, 0.6, new Random(12));
        Assert.Equal(a.Hu, b.Hu);
        Assert.Equal(a.Mask, b.Mask);
    }

    [Fact]
    public void Insert_NoIntracranialSpace_NothingInserted()
    {
        var grid = new SliceGrid(64, 64, 1.0);
        var hu = new float[grid.Length];
        var result = LesionInserter.Insert(hu, grid, new byte[grid.Length], HemorrhageSubtype.Subdural, 0.5, new Random(1));
        Assert.False(result.Inserted);
        Assert.Equal(0, result.PixelCount);
    }

    [Fact]
    public void Insert_Intraventricular_BloodLayersPosteriorly()
    {
        var (grid, hu, mask) = NoisySlice.Value;
        var result = LesionInserter.Insert(hu, grid, mask, HemorrhageSubtype.Intraventricular, 0.3, new Random(2));
        Assert.True(result.Inserted);
        var plan = result.Plan!;
        for (int i = 0; i < result.Mask.Length; i++)
        {
            if (result.Mask[i] != 0)
            {
                Assert.True(grid.YMm(i / grid.Columns) >= plan.FluidLevelYMm - 0.5, "blood above the fluid level");
            }
        }
    }

    [Fact]
    public void MaskValue_EverySubtype_RoundTrips()
    {
        foreach (var subtype in HemorrhageSubtypes.All)
        {
            Assert.True(HemorrhageSubtypes.TryFromMaskValue(subtype.MaskValue(), out var back));
            Assert.Equal(subtype, back);
        }

        Assert.False(HemorrhageSubtypes.TryFromMaskValue(0, out _));
        Assert.False(HemorrhageSubtypes.TryFromMaskValue(100, out _));
    }
}
