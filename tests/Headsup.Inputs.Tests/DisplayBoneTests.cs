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
    public void Find_SaturatedSkullOnly_ACleanlyClippedSkullIsBone_AnUnsaturatedOrPartlySaturatedOneIsNot()
    {
        // A clean export (skull at 255, as rendered straight from HU): bone in both modes, the same pixels.
        var clean = Slice();
        Assert.Equal(DisplayBone.Find(clean, Side, Side), DisplayBone.Find(clean, Side, Side, saturatedSkullOnly: true));
        Assert.Equal(1, DisplayBone.Find(clean, Side, Side, saturatedSkullOnly: true)[(46 * Side) + 48 - 37]);

        // A film-style export whose skull sits at 243: the plain mode still calls it bone, the saturated mode none at all
        // (not even the white table), so the image keeps the plain reading.
        var grey = clean.Select(v => v == 255f ? 243f : v).ToArray();
        Assert.Equal(1, DisplayBone.Find(grey, Side, Side)[(46 * Side) + 48 - 37]);
        Assert.All(DisplayBone.Find(grey, Side, Side, saturatedSkullOnly: true), b => Assert.Equal(0, b));

        // Half the ring saturated, half at 250 (above the white threshold of 247, so one region): 0.5 < 0.9, no bone.
        var half = clean.Select((v, i) => v == 255f && (i % Side) < 48 && (i / Side) < 90 ? 250f : v).ToArray();
        var skull = DisplayBone.Find(half, Side, Side);
        Assert.Equal(1, skull[(46 * Side) + 48 - 37]);
        Assert.InRange(DisplayBone.SaturatedFraction(half, skull, skull.Count(b => b != 0)), 0.3, 0.7);
        Assert.All(DisplayBone.Find(half, Side, Side, saturatedSkullOnly: true), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Build_SaturatedSkullMode_IsSkullModeForCleanExports_AndThePlainReadingForOthers()
    {
        var spec = new InputSpec("brain-plus", 64);
        var clean = new SliceImage(Slice(), Side, Side, SliceIntensity.Display, "clean.png");
        var grey = new SliceImage(Slice().Select(v => v == 255f ? 243f : v).ToArray(), Side, Side, SliceIntensity.Display, "film.png");
        var skull = spec with { DisplayBoneMode = DisplayBoneMode.Skull };
        var saturated = spec with { DisplayBoneMode = DisplayBoneMode.SaturatedSkull };

        Assert.Equal(InputBuilder.Build(clean, null, null, skull), InputBuilder.Build(clean, null, null, saturated));
        var greySkull = InputBuilder.Build(grey, null, null, skull);
        var greySaturated = InputBuilder.Build(grey, null, null, saturated);
        Assert.NotEqual(greySkull, greySaturated);

        // Without bone, every channel of the saturated mode is the plain reading: channel c = scale[c] × channel 0.
        var scales = InputRecipe.BrainPlus.DisplayChannelScales;
        const int plane = 64 * 64;
        for (int i = 0; i < plane; i++)
        {
            for (int c = 1; c < 3; c++)
            {
                Assert.Equal(MathF.Round(scales[c] * greySaturated[i] * 255f) / 255f, greySaturated[(c * plane) + i], 6);
            }
        }
    }

    [Theory]
    [InlineData(null, DisplayBoneMode.Off)]
    [InlineData("skull", DisplayBoneMode.Skull)]
    [InlineData("saturated-skull", DisplayBoneMode.SaturatedSkull)]
    public void Names_RoundTrip(string? name, DisplayBoneMode mode)
    {
        Assert.True(DisplayBone.TryParse(name, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Equal(name, DisplayBone.NameOf(mode));
        Assert.False(DisplayBone.TryParse("all-white", out _));
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
        var withBone = spec with { DisplayBoneMode = DisplayBoneMode.Skull };
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
