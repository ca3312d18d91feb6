namespace Headsup.Imaging.Geometry;

/// <summary>A rectangle of pixels (x = column, y = row).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);

/// <summary>
/// The head crop of <c>preprocess --crop-head</c>: a square box with a margin around the head that <see cref="HeadFinder"/>
/// finds above −300 HU (the table and a head holder, which are separate thin objects, are left out), clamped to the image.
/// </summary>
public static class HeadCropper
{
    /// <summary>The square box around the head, or null when nothing is above the threshold.</summary>
    public static PixelRect? Find(ReadOnlySpan<float> hu, int rows, int columns, float thresholdHu = -300f, double marginFraction = 0.05) =>
        HeadFinder.Find(hu, columns, rows, thresholdHu) is { } box ? HeadFinder.Square(box, columns, rows, marginFraction) : null;

    /// <summary>Copies a rectangle out of a plane.</summary>
    public static float[] Crop(ReadOnlySpan<float> plane, int columns, PixelRect rect)
    {
        var result = new float[rect.Width * rect.Height];
        for (int y = 0; y < rect.Height; y++)
        {
            plane.Slice(((rect.Y + y) * columns) + rect.X, rect.Width).CopyTo(result.AsSpan(y * rect.Width, rect.Width));
        }

        return result;
    }
}
