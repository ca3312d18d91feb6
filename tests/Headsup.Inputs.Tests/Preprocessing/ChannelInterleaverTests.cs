using Headsup.Inputs.Preprocessing;
using Xunit;

namespace Headsup.Inputs.Tests.Preprocessing;

public sealed class ChannelInterleaverTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(69)]
    [InlineData(512 * 512)]
    public void Interleave_ThreeFloatPlanes_EqualsPixelByPixelCopy(int plane)
    {
        var random = new Random(plane);
        var planes = Enumerable.Range(0, 3 * plane).Select(_ => (float)random.NextDouble()).ToArray();
        var pixels = new float[3 * plane];

        ChannelInterleaver.Interleave<float>(planes, 3, pixels);

        Assert.Equal(Naive(planes, 3), pixels);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(9, 13)]
    public void Interleave_OtherChannelCounts_EqualsPixelByPixelCopy(int channels, int plane)
    {
        var planes = Enumerable.Range(0, channels * plane).Select(i => (float)i).ToArray();
        var pixels = new float[channels * plane];

        ChannelInterleaver.Interleave<float>(planes, channels, pixels);

        Assert.Equal(Naive(planes, channels), pixels);
    }

    [Fact]
    public void Interleave_ThreeBytePlanes_EqualsPixelByPixelCopy()
    {
        var planes = Enumerable.Range(0, 3 * 21).Select(i => (byte)i).ToArray();
        var pixels = new byte[planes.Length];

        ChannelInterleaver.Interleave<byte>(planes, 3, pixels);

        Assert.Equal(Naive(planes, 3), pixels);
    }

    [Fact]
    public void Interleave_PlanesNotDivisibleByChannels_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChannelInterleaver.Interleave<float>(new float[10], 3, new float[10]));
    }

    private static T[] Naive<T>(T[] planes, int channels)
    {
        int plane = planes.Length / channels;
        var result = new T[planes.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                result[(i * channels) + c] = planes[(c * plane) + i];
            }
        }

        return result;
    }
}
