using Headsup.Imaging.Windowing;
using Xunit;

namespace Headsup.Imaging.Tests.Windowing;

public sealed class HuWindowTests
{
    [Theory]
    [InlineData(-1000f, 0f, 0f, 0f)]
    [InlineData(0f, 0f, 0.1f, 150f / 380f)]
    [InlineData(40f, 0.5f, 0.3f, 0.5f)]
    [InlineData(80f, 1f, 0.5f, 230f / 380f)]
    [InlineData(180f, 1f, 1f, 330f / 380f)]
    [InlineData(3000f, 1f, 1f, 1f)]
    public void Apply_PaperWindows_MatchHandTable(float hu, float brain, float subdural, float soft)
    {
        Assert.Equal(brain, HuWindow.Brain.Apply(hu), 6);
        Assert.Equal(subdural, HuWindow.Subdural.Apply(hu), 6);
        Assert.Equal(soft, HuWindow.SoftTissue.Apply(hu), 6);
    }

    [Fact]
    public void Bounds_PaperWindows_AreTheDesignRanges()
    {
        Assert.Equal((0.0, 80.0), (HuWindow.Brain.LowerHu, HuWindow.Brain.UpperHu));
        Assert.Equal((-20.0, 180.0), (HuWindow.Subdural.LowerHu, HuWindow.Subdural.UpperHu));
        Assert.Equal((-150.0, 230.0), (HuWindow.SoftTissue.LowerHu, HuWindow.SoftTissue.UpperHu));
    }

    [Fact]
    public void ApplySpan_VectorAndScalar_Identical()
    {
        var random = new Random(7);
        var hu = Enumerable.Range(0, 1037).Select(_ => (float)((random.NextDouble() * 3000) - 1500)).ToArray();
        var output = new float[hu.Length];
        WindowApplier.Apply(HuWindow.Subdural, hu, output);
        for (int i = 0; i < hu.Length; i++)
        {
            Assert.Equal(HuWindow.Subdural.Apply(hu[i]), output[i]);
        }
    }

    [Fact]
    public void Parse_CenterWidth_Reads()
    {
        Assert.Equal(new HuWindow(40, 80), HuWindow.Parse("40/80"));
        Assert.Throws<FormatException>(() => HuWindow.Parse("forty"));
        Assert.Throws<ArgumentOutOfRangeException>(() => HuWindow.Parse("40/0"));
    }
}
