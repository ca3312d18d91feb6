using Headsup.Training;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Training;

public sealed class AugmenterTests
{
    [Fact]
    public void StrengthZero_ReturnsTheInput()
    {
        using var x = rand(4, 1, 32, 32);
        using var augmenter = new Augmenter(0, 1);
        using var y = augmenter.Apply(x);
        Assert.True(x.allclose(y, 0, 0));
    }

    [Fact]
    public void Apply_KeepsShapeAndRange_AndIsDeterministicPerSeed()
    {
        using var x = rand(8, 3, 48, 48);
        using var a1 = new Augmenter(1, 42);
        using var a2 = new Augmenter(1, 42);
        using var a3 = new Augmenter(1, 43);
        using var y1 = a1.Apply(x);
        using var y2 = a2.Apply(x);
        using var y3 = a3.Apply(x);
        Assert.Equal(x.shape, y1.shape);
        Assert.True(y1.min().item<float>() >= 0 && y1.max().item<float>() <= 1);
        Assert.True(y1.allclose(y2, 0, 0));
        Assert.False(y1.allclose(y3, 0, 0));
        Assert.False(y1.allclose(x, 0, 0));
    }

    [Fact]
    public void Apply_KeepsMostOfTheImage_AtFullStrength()
    {
        // A centred bright square stays mostly inside after ±15° rotation, ±15 % scale, ±8 % shift.
        var data = new float[64 * 64];
        for (int y = 24; y < 40; y++)
        {
            for (int x = 24; x < 40; x++)
            {
                data[(y * 64) + x] = 1;
            }
        }

        using var input = tensor(data, new long[] { 1, 1, 64, 64 }).repeat(16, 1, 1, 1);
        using var augmenter = new Augmenter(1, 5);
        using var output = augmenter.Apply(input);
        // Count bright pixels: brightness jitter and noise lift the background a little, never above 0.5.
        var bright = (output > 0.5f).sum(new long[] { 1, 2, 3 }).data<long>().ToArray();
        Assert.All(bright, m => Assert.InRange(m, 256 * 0.6, 256 * 1.5));
    }
}
