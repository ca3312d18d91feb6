namespace Headsup.Inputs.Tests;

/// <summary>
/// <see cref="InputSpec.HeadMask"/>: a bright "text" blob outside the head but inside the head's crop box is zeroed, and
/// the head is unchanged — the masked input of the image with the blob equals, bit for bit, the unmasked input of the same
/// image without it.
/// </summary>
public sealed class InputBuilderHeadMaskTests
{
    private const int Side = 128;

    [Theory]
    [InlineData(SliceIntensity.Display, 0f, 120f, 255f, 250f)]
    [InlineData(SliceIntensity.Hu, -1000f, 35f, 1200f, 1000f)]
    public void Build_HeadMask_ZeroesTextOutsideTheHeadAndKeepsTheHead(SliceIntensity intensity, float background, float brain, float bone, float text)
    {
        var clean = Head(background, brain, bone, text: null);
        var marked = Head(background, brain, bone, text);
        var spec = new InputSpec(InputRecipe.GrayBrain, 64);
        var masked = spec with { HeadMask = true };

        var withoutText = InputBuilder.Build(new SliceStack(new SliceImage(clean, Side, Side, intensity)), spec).Values;
        var unmasked = InputBuilder.Build(new SliceStack(new SliceImage(marked, Side, Side, intensity)), spec).Values;
        var maskedValues = InputBuilder.Build(new SliceStack(new SliceImage(marked, Side, Side, intensity)), masked).Values;

        Assert.True(unmasked.Zip(withoutText).Any(p => p.First != p.Second), "the text must reach the unmasked input (inside the crop box)");
        Assert.Equal(withoutText.Select(BitConverter.SingleToInt32Bits), maskedValues.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void HeadMask_DiskWithTextAndHole_CoversTheFilledHeadWithMarginOnly()
    {
        var pixels = Head(0f, 120f, 255f, 250f);
        pixels[(64 * Side) + 64] = 0f; // a dark hole inside the head stays in the mask

        var mask = InputBuilder.HeadMask(new SliceImage(pixels, Side, Side, SliceIntensity.Display));

        Assert.Equal(1, mask[(64 * Side) + 64]);
        Assert.Equal(0, mask[(28 * Side) + 28]); // the text
        Assert.Equal(1, mask[(64 * Side) + 64 + 40 + 2 + InputBuilder.HeadMaskMarginPixels]); // the margin beyond the dilated edge
        Assert.Equal(0, mask[(64 * Side) + 64 + 40 + 2 + InputBuilder.HeadMaskMarginPixels + 2]);
    }

    [Fact]
    public void HeadMask_Default_IsOffAndPartOfEquality()
    {
        var spec = new InputSpec(InputRecipe.GrayBrain, 64);

        Assert.False(spec.HeadMask);
        Assert.NotEqual(spec, spec with { HeadMask = true });
    }

    /// <summary>A disk of radius 40 (brain, with a 4-pixel bone rim) centred in the image; text = a 6×4 blob at (24..29, 24..27), outside the disk (and its mask margin) but inside its box.</summary>
    private static float[] Head(float background, float brain, float bone, float? text)
    {
        var pixels = new float[Side * Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double r = Math.Sqrt(((x - 64) * (x - 64)) + ((y - 64) * (y - 64)));
                pixels[(y * Side) + x] = r > 40 ? background : r > 36 ? bone : brain;
            }
        }

        if (text is float value)
        {
            for (int y = 24; y <= 27; y++)
            {
                for (int x = 24; x <= 29; x++)
                {
                    pixels[(y * Side) + x] = value;
                }
            }
        }

        return pixels;
    }
}
