using Headsup.Inputs;
using Headsup.Datasets;
using Headsup.Imaging.Geometry;
using Xunit;

namespace Headsup.Inputs.Tests;

public class InputFrameTests
{
    /// <summary>A 200×120 HU slice with an elliptic "head" of brain (30 HU) inside a 1-pixel skull ring, air around.</summary>
    internal static SliceImage Head(int width = 200, int height = 120)
    {
        var hu = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double dx = (x - 110) / 60.0, dy = (y - 60) / 40.0, r = (dx * dx) + (dy * dy);
                hu[(y * width) + x] = r <= 0.8 ? 30f + (x % 7) : r <= 1 ? 1000f : -1000f;
            }
        }

        return new SliceImage(hu, width, height, SliceIntensity.Hu) { PixelSpacingMm = 0.5 };
    }

    [Fact]
    public void ToInput_WindowedPlane_EqualsInputBuilderWithinOneStep()
    {
        var slice = Head();
        var frame = InputFrame.Of(slice, 64);
        var windowed = slice.Pixels.Select(v => Math.Clamp((v - 0f) / 80f, 0f, 1f)).ToArray();
        var expected = InputBuilder.Build(slice, null, null, new InputSpec("gray-brain", 64));
        var actual = frame.ToInput(windowed, 0f);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            // The input is rounded to 1/255 steps (InputQuantisation); the frame's resampling is not.
            Assert.InRange(expected[i] - actual[i], -0.5f / 255f - 1e-6f, 0.5f / 255f + 1e-6f);
        }
    }

    [Fact]
    public void Frame_is_the_padded_head_box()
    {
        var frame = InputFrame.Of(Head(), 64);
        Assert.Equal(new PixelRect(50, 20, 121, 81), frame.Box);
        Assert.Equal(121, frame.Side);
        Assert.Equal(50, frame.Left);
        Assert.Equal(20 - 20, frame.Top);
    }

    [Fact]
    public void ToSlice_maps_an_input_pixel_back_onto_its_slice_area()
    {
        var frame = InputFrame.Of(Head(), 64);
        var map = new float[64 * 64];
        map[(32 * 64) + 16] = 1f; // one input pixel
        var back = frame.ToSlice(map, -5f);
        var (cx, cy) = frame.ToSlicePoint(16, 32);
        int best = Array.IndexOf(back, back.Max());
        Assert.InRange(best % 200, cx - 1.5, cx + 1.5);
        Assert.InRange(best / 200, cy - 1.5, cy + 1.5);
        Assert.Equal(-5f, back[0]); // (0, 0) lies left of the square
        Assert.Equal(200 * 120, back.Length);
    }

    [Fact]
    public void Round_trip_of_a_smooth_plane_is_close_inside_the_square()
    {
        var slice = Head();
        var frame = InputFrame.Of(slice, 96);
        var plane = new float[200 * 120];
        for (int y = 0; y < 120; y++)
        {
            for (int x = 0; x < 200; x++)
            {
                plane[(y * 200) + x] = (float)Math.Sin(x / 20.0) + (float)Math.Cos(y / 15.0);
            }
        }

        var back = frame.ToSlice(frame.ToInput(plane, 0f), float.NaN);
        double worst = 0;
        // inside the head box (the rest of the square is padding, as in the network input)
        for (int y = frame.Box.Y + 3; y < frame.Box.Y + frame.Box.Height - 3; y++)
        {
            for (int x = frame.Box.X + 3; x < frame.Box.X + frame.Box.Width - 3; x++)
            {
                worst = Math.Max(worst, Math.Abs(back[(y * 200) + x] - plane[(y * 200) + x]));
            }
        }

        Assert.True(worst < 0.05, $"round-trip error {worst}");
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        var frame = InputFrame.Of(Head(), 32);
        Assert.Throws<ArgumentException>(() => frame.ToInput(new float[10], 0f));
        Assert.Throws<ArgumentException>(() => frame.ToSlice(new float[10], 0f));
    }
}
