using Headsup.Imaging.Masks;

namespace Headsup.Imaging.Geometry;

/// <summary>
/// The one head finder: the head is the largest 4-connected region of pixels above a threshold (so the table, a head
/// holder and text, which are separate objects, are left out). Used for the model input (tight box, −200 HU or display
/// 20) and for <c>preprocess --crop-head</c> (a square box with a margin around the region above −300 HU).
/// </summary>
public static class HeadFinder
{
    /// <summary>
    /// The tight bounding box of the largest 4-connected region above <paramref name="threshold"/>, or null when no
    /// pixel is above it. With <paramref name="dilateRadius"/> &gt; 0 the mask is dilated by that many pixels before the
    /// regions are found (so parts separated by a thin dark gap stay together), but the box covers only pixels that are
    /// themselves above the threshold.
    /// </summary>
    public static PixelRect? Find(ReadOnlySpan<float> pixels, int width, int height, float threshold, int dilateRadius = 0)
    {
        var (above, head, count) = LargestRegion(pixels, width, height, threshold, dilateRadius);
        if (count == 0)
        {
            return null;
        }

        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                if (head[row + x] != 0 && above[row + x] != 0)
                {
                    minX = Math.Min(minX, x);
                    maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y);
                    maxY = Math.Max(maxY, y);
                }
            }
        }

        return maxX < 0 ? null : new PixelRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>
    /// The head as a 0/1 mask: the largest 4-connected region above <paramref name="threshold"/> (after a dilation by
    /// <paramref name="dilateRadius"/>, as <see cref="Find"/>), its holes filled, then dilated by
    /// <paramref name="marginRadius"/> so the scalp's edge stays in. All zero when no pixel is above the threshold.
    /// </summary>
    public static byte[] Mask(ReadOnlySpan<float> pixels, int width, int height, float threshold, int dilateRadius = 0, int marginRadius = 0)
    {
        var (_, head, count) = LargestRegion(pixels, width, height, threshold, dilateRadius);
        if (count == 0)
        {
            return head;
        }

        int n = width * height;
        var outside = new byte[n];
        for (int i = 0; i < n; i++)
        {
            outside[i] = head[i] == 0 ? (byte)1 : (byte)0;
        }

        var beyond = Morphology.ReachableFromBorder(outside, width, height);
        for (int i = 0; i < n; i++)
        {
            head[i] = beyond[i] == 0 ? (byte)1 : (byte)0;
        }

        return marginRadius > 0 ? Morphology.Dilate(head, width, height, marginRadius) : head;
    }

    /// <summary>
    /// A square around <paramref name="box"/>: side = its longer side × (1 + 2 × <paramref name="marginFraction"/>),
    /// rounded up and at most the image's shorter side, centred on the box and moved inside the image.
    /// </summary>
    public static PixelRect Square(PixelRect box, int width, int height, double marginFraction)
    {
        int side = (int)Math.Ceiling(Math.Max(box.Width, box.Height) * (1 + (2 * marginFraction)));
        side = Math.Min(side, Math.Min(height, width));
        int cx = ((2 * box.X) + box.Width) / 2;
        int cy = ((2 * box.Y) + box.Height) / 2;
        int x0 = Math.Clamp(cx - (side / 2), 0, width - side);
        int y0 = Math.Clamp(cy - (side / 2), 0, height - side);
        return new PixelRect(x0, y0, side, side);
    }

    /// <summary>The pixels above the threshold, and the largest 4-connected region of them (after the dilation) with its size.</summary>
    private static (byte[] Above, byte[] Head, int Count) LargestRegion(ReadOnlySpan<float> pixels, int width, int height, float threshold, int dilateRadius)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int n = width * height;
        if (pixels.Length < n)
        {
            throw new ArgumentException($"{pixels.Length} values do not make a {width}×{height} image", nameof(pixels));
        }

        var above = new byte[n];
        for (int i = 0; i < n; i++)
        {
            above[i] = pixels[i] > threshold ? (byte)1 : (byte)0;
        }

        var grown = dilateRadius > 0 ? Morphology.Dilate(above, width, height, dilateRadius) : above;
        var (head, count) = Morphology.Largest(grown, width, height);
        return (above, head, count);
    }
}
