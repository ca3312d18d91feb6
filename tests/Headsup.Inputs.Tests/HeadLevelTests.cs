namespace Headsup.Inputs.Tests;

/// <summary>
/// <see cref="HeadLevels"/>: the intracranial area of an axial slice in cm², against the analytic area of an
/// elliptical skull's interior, and the level it gives.
/// </summary>
public sealed class HeadLevelTests
{
    private const int Side = 256;

    /// <summary>An HU slice: air −1000, a bone ring (1000 HU, 6 px thick) around brain (35 HU) filling an ellipse of semi-axes a, b px, with scalp outside.</summary>
    private static SliceImage Head(double a, double b, double spacingMm, SliceIntensity intensity = SliceIntensity.Hu)
    {
        var pixels = new float[Side * Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double dx = x - 127.5, dy = y - 127.5;
                double inner = ((dx * dx) / (a * a)) + ((dy * dy) / (b * b));
                double bone = ((dx * dx) / ((a + 6) * (a + 6))) + ((dy * dy) / ((b + 6) * (b + 6)));
                double scalp = ((dx * dx) / ((a + 10) * (a + 10))) + ((dy * dy) / ((b + 10) * (b + 10)));
                pixels[(y * Side) + x] = inner <= 1 ? 35f : bone <= 1 ? 1000f : scalp <= 1 ? 40f : -1000f;
            }
        }

        if (intensity == SliceIntensity.Display)
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = Math.Clamp(pixels[i] / 80f * 255f, 0f, 255f);
            }
        }

        return new SliceImage(pixels, Side, Side, intensity) { PixelSpacingMm = spacingMm };
    }

    [Theory]
    [InlineData(100, 80, 0.5)]
    [InlineData(100, 80, 0.8)]
    [InlineData(40, 30, 0.8)]
    [InlineData(70, 90, 1.0)]
    public void IntracranialAreaCm2_EqualsTheEllipseArea(double a, double b, double spacingMm)
    {
        double expected = Math.PI * a * b * spacingMm * spacingMm / 100.0;
        double? area = HeadLevels.IntracranialAreaCm2(Head(a, b, spacingMm));
        Assert.NotNull(area);
        Assert.InRange(area.Value, expected * 0.97, expected * 1.03);
    }

    [Fact]
    public void Of_CutsAtOneHundredSquareCentimetres()
    {
        // The same head at two pixel sizes: 100 × 80 px semi-axes are 62.8 cm² at 0.5 mm, 160.8 cm² at 0.8 mm.
        Assert.Equal(HeadLevel.BaseOrVertex, HeadLevels.Of(Head(100, 80, 0.5)));
        Assert.Equal(HeadLevel.MidHead, HeadLevels.Of(Head(100, 80, 0.8)));
        Assert.Equal(HeadLevel.BaseOrVertex, HeadLevels.Of(Head(40, 30, 0.8)));
    }

    [Fact]
    public void Of_DisplayImageOrUnknownSpacing_HasNoLevel()
    {
        Assert.Null(HeadLevels.Of(Head(100, 80, 0.8, SliceIntensity.Display)));
        var unknown = Head(100, 80, 0.8);
        Assert.Null(HeadLevels.IntracranialAreaCm2(new SliceImage(unknown.Pixels, Side, Side, SliceIntensity.Hu)));
    }
}
