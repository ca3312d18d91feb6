using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Imaging.Windowing;
using Xunit;

namespace Headsup.Imaging.Tests.Recipes;

public sealed class RecipeBuilderTests
{
    private static HuSlice Slice(float[] hu, int rows, int cols) => new(hu, rows, cols, "test");

    private static readonly float[] s_values = [-1000, 0, 40, 80, 100, 300];

    [Fact]
    public void Build_E2_ChannelsAreBrainSubduralSoft()
    {
        var tensor = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.E2 }).Build(Slice(s_values, 2, 3));
        Assert.Equal((3, 2, 3), (tensor.Channels, tensor.Height, tensor.Width));
        var f = tensor.Floats!;
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(HuWindow.Brain.Apply(s_values[i]), f[i]);
            Assert.Equal(HuWindow.Subdural.Apply(s_values[i]), f[6 + i]);
            Assert.Equal(HuWindow.SoftTissue.Apply(s_values[i]), f[12 + i]);
        }

        var hwc = tensor.ToHwcFloats();
        Assert.Equal(f[6 + 4], hwc[(4 * 3) + 1]);
    }

    [Fact]
    public void Build_E3Rounded_Is255TimesE2Rounded()
    {
        var e2 = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.E2 }).Build(Slice(s_values, 2, 3)).Floats!;
        var e3 = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.E3 }).Build(Slice(s_values, 2, 3)).Bytes!;
        Assert.Equal(e2.Select(v => (byte)Math.Round(v * 255, MidpointRounding.ToEven)), e3);
        Assert.Contains(e3, b => b is > 1 and < 255);
    }

    [Fact]
    public void Build_E3PaperTruncation_IsAlmostAllZero()
    {
        var e3 = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.E3, E3Mode = E3Quantization.PaperTruncation }).Build(Slice(s_values, 2, 3)).Bytes!;
        Assert.All(e3, b => Assert.True(b is 0 or 1));
        // Only values at the top of a window survive as 1: brain 80, 100, 300; subdural 300; soft tissue 300.
        Assert.Equal(5, e3.Count(b => b == 1));
    }

    [Fact]
    public void Build_E4_IsRedTintedMeanOfThreeWindows()
    {
        var options = new RecipeOptions { Kind = RecipeKind.E4, E4RedWeight = 0.9f, E4GreenBlueWeight = 0.4f };
        var f = new RecipeBuilder(options).Build(Slice(s_values, 2, 3)).Floats!;
        for (int i = 0; i < 6; i++)
        {
            float gray = (HuWindow.Brain.Apply(s_values[i]) + HuWindow.Subdural.Apply(s_values[i]) + HuWindow.SoftTissue.Apply(s_values[i])) / 3f;
            Assert.Equal(0.9f * gray, f[i], 6);
            Assert.Equal(0.4f * gray, f[6 + i], 6);
            Assert.Equal(0.4f * gray, f[12 + i], 6);
        }
    }

    [Fact]
    public void Build_Context_StacksNeighboursAndRepeatsAtEnds()
    {
        var a = Slice([0, 0, 0, 0], 2, 2);
        var b = Slice([40, 40, 40, 40], 2, 2);
        var c = Slice([80, 80, 80, 80], 2, 2);
        var builder = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.Context });
        Assert.Equal(new float[] { 0, 0, 0, 0, .5f, .5f, .5f, .5f, 1, 1, 1, 1 }, builder.Build(b, a, c).Floats);
        Assert.Equal(new float[] { .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, 1, 1, 1, 1 }, builder.Build(b, null, c).Floats);
        var nine = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.Context, ContextChannels = ContextChannels.ThreeWindows }).Build(b, a, c);
        Assert.Equal(9, nine.Channels);
        Assert.Equal(HuWindow.Subdural.Apply(0), nine.Floats![4]);
    }

    [Fact]
    public void Build_ResizeArea_HalvesByTwoByTwoMeans()
    {
        var hu = new float[] { 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150 };
        var t = new RecipeBuilder(new RecipeOptions { Kind = RecipeKind.Hu, Size = 2 }).Build(Slice(hu, 4, 4));
        Assert.Equal(new float[] { 25, 45, 105, 125 }, t.Floats);
    }

    [Fact]
    public void Resize_Bilinear_MatchesHalfPixelFormula()
    {
        // 1×2 → 1×4 with half-pixel centres: x = (i + .5) / 2 - .5 → -0.25, 0.25, 0.75, 1.25 → clamped lerp of [0, 8].
        var output = new float[4];
        Resizer.Resize(new float[] { 0, 8 }, 1, 2, output, 1, 4, ResizeMethod.Bilinear);
        Assert.Equal(new float[] { 0, 2, 6, 8 }, output);
    }

    [Fact]
    public void Resize_ConstantPlane_StaysConstant()
    {
        var input = Enumerable.Repeat(7f, 512 * 512).ToArray();
        var output = new float[224 * 224];
        Resizer.Resize(input, 512, 512, output, 224, 224, ResizeMethod.Area);
        Assert.All(output, v => Assert.Equal(7f, v, 4));
    }

    [Fact]
    public void Find_HeadAndTable_BoxesTheLargerHead()
    {
        int n = 64;
        var hu = Enumerable.Repeat(-1000f, n * n).ToArray();
        for (int y = 10; y < 40; y++)
        {
            for (int x = 20; x < 44; x++)
            {
                hu[(y * n) + x] = 40;
            }
        }

        for (int x = 0; x < n; x++)
        {
            hu[(60 * n) + x] = 300; // table, separate and thin
        }

        var box = HeadCropper.Find(hu, n, n)!.Value;
        Assert.InRange(box.Width, 30, 34);
        Assert.Equal(box.Width, box.Height);
        Assert.True(box.Y + box.Height <= 60 || box.Y <= 10);
        Assert.True(box.X <= 20 && box.X + box.Width >= 44);
    }
}
