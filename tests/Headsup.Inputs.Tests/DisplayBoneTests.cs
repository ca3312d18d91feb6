namespace Headsup.Inputs.Tests;

/// <summary>
/// <see cref="DisplayBone"/>: which white pixels of a display image are bone (the skull ring, white outside it) and which
/// are not (white the skull encloses: a clot, a calcification), and the channels it derives.
/// </summary>
public sealed class DisplayBoneTests
{
    private const int Side = 96;

    /// <summary>
    /// A display slice: air 0, a skull ring (radius 34–40) at 255 around brain at 112 (≈ 35 HU in 40/80), a white clot
    /// (radius 5) inside, and a white table strip below the head.
    /// </summary>
    private static float[] Slice(int gapPixels = 0)
    {
        var display = new float[Side * Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double r = Math.Sqrt(((x - 48) * (x - 48)) + ((y - 46) * (y - 46)));
                double clot = Math.Sqrt(((x - 58) * (x - 58)) + ((y - 40) * (y - 40)));
                bool gap = gapPixels > 0 && y == 46 && x > 48;
                display[(y * Side) + x] = r <= 34 ? (clot <= 5 ? 255f : 112f) : r <= 40 && !gap ? 255f : 0f;
            }
        }

        for (int x = 20; x < 76; x++)
        {
            display[(92 * Side) + x] = 255f;
        }

        return display;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Find_MarksTheSkullAndWhiteOutsideIt_NotWhiteItEncloses(int gap)
    {
        var display = Slice(gap);
        var bone = DisplayBone.Find(display, Side, Side);

        Assert.Equal(1, bone[(46 * Side) + 48 - 37]); // the ring, left side
        Assert.Equal(1, bone[(92 * Side) + 40]); // the table strip
        Assert.Equal(0, bone[(40 * Side) + 58]); // the clot's centre
        Assert.Equal(0, bone[(46 * Side) + 40]); // brain
        Assert.Equal(DisplayBone.MaxWhiteDisplay, DisplayBone.WhiteThreshold(display));
        for (int i = 0; i < bone.Length; i++)
        {
            Assert.True(bone[i] == 0 || display[i] >= DisplayBone.MaxWhiteDisplay, "only white pixels are bone");
        }

        int clotPixels = Enumerable.Range(0, bone.Length).Count(i => display[i] >= 254 && Math.Sqrt(Math.Pow((i % Side) - 58, 2) + Math.Pow((i / Side) - 40, 2)) <= 5);
        int clotBone = Enumerable.Range(0, bone.Length).Count(i => bone[i] != 0 && Math.Sqrt(Math.Pow((i % Side) - 58, 2) + Math.Pow((i / Side) - 40, 2)) <= 5);
        Assert.True(clotPixels > 50);
        Assert.Equal(0, clotBone);
    }

    [Fact]
    public void Find_ASkullExportedBelowWhite_IsStillBone()
    {
        // Resized or lossy exports leave the skull at 240–250 rather than 255: the threshold follows the head's brightest
        // percent, so the ring is bone and the clot (here 248, brighter than the skull but enclosed) is not.
        var display = Slice().Select(v => v == 255f ? 243f : v).ToArray();
        display[(40 * Side) + 58] = 248f;
        Assert.Equal(235f, DisplayBone.WhiteThreshold(display));
        var bone = DisplayBone.Find(display, Side, Side);
        Assert.Equal(1, bone[(46 * Side) + 48 - 37]);
        Assert.Equal(0, bone[(40 * Side) + 58]);
        Assert.Equal(DisplayBone.MinWhiteDisplay, DisplayBone.WhiteThreshold(Enumerable.Repeat(100f, 64).ToArray()));
    }

    [Fact]
    public void Find_NoWhite_NoBone_AndTooFewValuesAreRefused()
    {
        var gray = Enumerable.Repeat(120f, 16 * 16).ToArray();
        Assert.All(DisplayBone.Find(gray, 16, 16), b => Assert.Equal(0, b));
        Assert.Throws<ArgumentException>(() => DisplayBone.Find(gray, 17, 16));
    }

    [Fact]
    public void Derive_BoneTakesBoneValues_TheRestIsTheScaledBrainWindow_ChannelZeroKept()
    {
        var display = Slice();
        var scales = InputRecipe.BrainPlus.DisplayChannelScales;
        var boneValues = InputRecipe.BrainPlus.DisplayBoneValues;
        Assert.Equal([1f, 1f, 1f], boneValues);
        var values = new float[3 * Side * Side];
        for (int i = 0; i < display.Length; i++)
        {
            values[i] = display[i] / 255f;
        }

        DisplayBone.Derive(values, Side, scales, boneValues);
        var bone = DisplayBone.Find(display, Side, Side);
        const int plane = Side * Side;
        for (int i = 0; i < plane; i++)
        {
            Assert.Equal(display[i] / 255f, values[i], 6);
            for (int c = 1; c < 3; c++)
            {
                float expected = bone[i] != 0 ? boneValues[c] : MathF.Round(scales[c] * display[i]) / 255f;
                Assert.Equal(expected, values[(c * plane) + i], 6);
            }
        }

        // The clot reads as 80 HU (0.4 of the 0–200 HU window), the skull as bone (1.0).
        Assert.InRange(values[plane + (40 * Side) + 58], 0.39f, 0.41f);
        Assert.Equal(1f, values[plane + (46 * Side) + 48 - 37]);
        Assert.Throws<ArgumentException>(() => DisplayBone.Derive(values.AsSpan(1), Side, scales, boneValues));
        Assert.Throws<ArgumentException>(() => DisplayBone.Derive(values, Side, scales, [1f]));
    }

    [Fact]
    public void Build_DisplayBoneOnlyChangesDisplayImagesBone()
    {
        var display = Slice();
        var spec = new InputSpec("brain-plus", 64);
        var withBone = spec with { DisplayBone = true };
        var image = new SliceImage(display, Side, Side, SliceIntensity.Display, "png");
        var plain = InputBuilder.Build(image, null, null, spec);
        var boned = InputBuilder.Build(image, null, null, withBone);
        const int plane = 64 * 64;
        int changed = 0;
        for (int i = 0; i < plain.Length; i++)
        {
            if (i < plane)
            {
                // Channel 0 is the display image either way (up to rounding), except that bone reads 1 (its 0–80 HU window).
                Assert.True(Math.Abs(plain[i] - boned[i]) <= 2.01f / 255f || (boned[i] == 1f && plain[i] >= 240f / 255f), $"channel 0 at {i}: {plain[i]} → {boned[i]}");
            }

            if (Math.Abs(plain[i] - boned[i]) > 0.1f)
            {
                changed++;
                Assert.Equal(1f, boned[i]);
            }
        }

        Assert.True(changed > 500, $"{changed} values changed");

        // A DICOM slice's input does not depend on it.
        var hu = display.Select(v => v >= 254 ? 1000f : v / 255f * 80f).ToArray();
        var huImage = new SliceImage(hu, Side, Side, SliceIntensity.Hu, "dcm");
        Assert.Equal(InputBuilder.Build(huImage, null, null, spec), InputBuilder.Build(huImage, null, null, withBone));
    }
}
