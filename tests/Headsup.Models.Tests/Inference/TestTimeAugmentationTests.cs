using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;

namespace Headsup.Models.Tests.Inference;

public sealed class TestTimeAugmentationTests
{
    private const int Count = 3, Channels = 3, Size = 64;

    /// <summary>
    /// Square planes (any number, each <paramref name="size"/>², row-major, as an N×C×S×S batch is laid out) mirrored
    /// left–right by index arithmetic: the reference, independent of torch's flip.
    /// </summary>
    internal static float[] Mirrored(float[] planes, int size)
    {
        var mirrored = new float[planes.Length];
        for (int plane = 0; plane < planes.Length / (size * size); plane++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    mirrored[(plane * size * size) + (y * size) + x] = planes[(plane * size * size) + (y * size) + (size - 1 - x)];
                }
            }
        }

        return mirrored;
    }

    private static float[] Inputs(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Count * Channels * Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Theory]
    [InlineData("small-cnn")]
    [InlineData("resnet18")]
    public void HorizontalFlip_IsTheMeanOfTheLogitsOfTheInputAndItsMirrorImage(string architecture)
    {
        TorchTestSetup.Seed(5);
        using var network = NetworkFactory.Create(architecture, Channels, 2, pretrained: false);
        var inputs = Inputs(7);
        var plain = Predictor.Logits(network, inputs, Count, Channels, Size);
        var mirror = Predictor.Logits(network, Mirrored(inputs, Size), Count, Channels, Size);
        var averaged = Predictor.Logits(network, inputs, Count, Channels, Size, augmentation: TestTimeAugmentation.HorizontalFlip);
        for (int i = 0; i < Count; i++)
        {
            for (int o = 0; o < 2; o++)
            {
                Assert.Equal((plain[i][o] + mirror[i][o]) / 2, averaged[i][o], 5);
            }
        }

        // Not the plain pass in disguise: a random network reads a random image and its mirror differently.
        Assert.Contains(Enumerable.Range(0, Count), i => Math.Abs(plain[i][0] - averaged[i][0]) > 1e-4);
        // Mirroring is its own inverse: the mirror image's averaged logits are the same.
        var fromMirror = Predictor.Logits(network, Mirrored(inputs, Size), Count, Channels, Size, augmentation: TestTimeAugmentation.HorizontalFlip);
        Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(averaged[i][0], fromMirror[i][0], 5));
    }

    [Fact]
    public void LogitsAndFeatures_AverageTheLogits_AndKeepThePlainFeatures()
    {
        TorchTestSetup.Seed(6);
        using var network = NetworkFactory.Create("small-cnn", Channels, 1, pretrained: false);
        var inputs = Inputs(8);
        var (plainLogits, plainFeatures) = Predictor.LogitsAndFeatures(network, inputs, Count, Channels, Size);
        var (logits, features) = Predictor.LogitsAndFeatures(network, inputs, Count, Channels, Size, augmentation: TestTimeAugmentation.HorizontalFlip);
        var expected = Predictor.Logits(network, inputs, Count, Channels, Size, augmentation: TestTimeAugmentation.HorizontalFlip);
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(expected[i][0], logits[i][0], 5);
            Assert.Equal(plainFeatures[i], features[i]);
        }

        Assert.NotEqual(plainLogits[0][0], logits[0][0]);
    }

    [Theory]
    [InlineData(null, true, TestTimeAugmentation.None)]
    [InlineData("none", true, TestTimeAugmentation.None)]
    [InlineData("horizontal-flip", true, TestTimeAugmentation.HorizontalFlip)]
    [InlineData("Horizontal-Flip", false, TestTimeAugmentation.None)]
    [InlineData("vertical-flip", false, TestTimeAugmentation.None)]
    public void TryParse_KnowsTheModelJsonNames(string? name, bool known, TestTimeAugmentation expected)
    {
        Assert.Equal(known, TestTimeAugmentations.TryParse(name, out var parsed));
        Assert.Equal(expected, parsed);
        if (known && name is not null)
        {
            Assert.Equal(name == "none" ? null : name, TestTimeAugmentations.NameOf(parsed));
        }
    }
}
