using Headsup.Imaging.Geometry;

namespace Headsup.Inputs;

/// <summary>
/// Where the network input sits on the slice: the head box (<see cref="InputBuilder.FindHead"/>), padded to a centred
/// square of <see cref="Side"/> pixels and area-resampled to <see cref="Size"/>². The one definition of the input's
/// geometry: <see cref="InputBuilder"/> makes inputs through <see cref="Resample"/>, and heatmaps computed at the input
/// resolution go back to the slice's own rows × columns through <see cref="ToSlice"/>.
/// </summary>
public sealed record InputFrame(int Width, int Height, PixelRect Box, int Size)
{
    /// <summary>The side of the padded square, in slice pixels.</summary>
    public int Side => Math.Max(Box.Width, Box.Height);

    /// <summary>Slice column of the square's left edge (may be negative: padding).</summary>
    public int Left => Box.X - ((Side - Box.Width) / 2);

    /// <summary>Slice row of the square's top edge (may be negative: padding).</summary>
    public int Top => Box.Y - ((Side - Box.Height) / 2);

    /// <summary>The frame of <paramref name="image"/>'s input: its head box, or the whole image when no head is found.</summary>
    public static InputFrame Of(SliceImage image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        var box = InputBuilder.FindHead(image) ?? new PixelRect(0, 0, image.Width, image.Height);
        return new InputFrame(image.Width, image.Height, box, size);
    }

    /// <summary>
    /// Crops each of <paramref name="channels"/> planes (Width × Height, row-major, one after another) to the box, pads it
    /// with <paramref name="pad"/> to the centred square and area-resamples it to Size × Size, clamping to [0, 1] when
    /// <paramref name="clamp"/> (unclamped, HU stay HU).
    /// </summary>
    public float[] Resample(ReadOnlySpan<float> planes, int channels, float pad, bool clamp)
    {
        if (planes.Length != channels * Width * Height)
        {
            throw new ArgumentException($"{planes.Length} values do not make {channels} planes of {Width}×{Height}", nameof(planes));
        }

        int side = Side;
        int offsetX = (side - Box.Width) / 2;
        int offsetY = (side - Box.Height) / 2;
        var square = new float[side * side];
        var output = new float[channels * Size * Size];
        for (int c = 0; c < channels; c++)
        {
            Array.Fill(square, pad);
            var source = planes.Slice(c * Width * Height, Width * Height);
            for (int y = 0; y < Box.Height; y++)
            {
                source.Slice(((Box.Y + y) * Width) + Box.X, Box.Width).CopyTo(square.AsSpan(((offsetY + y) * side) + offsetX, Box.Width));
            }

            var destination = output.AsSpan(c * Size * Size, Size * Size);
            Resizer.Resize(square, side, side, destination, Size, Size, ResizeMethod.Area);
            for (int i = 0; clamp && i < destination.Length; i++)
            {
                destination[i] = Math.Clamp(destination[i], 0f, 1f);
            }
        }

        return output;
    }

    /// <summary>
    /// A slice plane (Width × Height) cropped, padded with <paramref name="pad"/> and area-resampled to Size × Size, like
    /// the input, but without clamping (HU stay HU).
    /// </summary>
    public float[] ToInput(ReadOnlySpan<float> plane, float pad)
    {
        if (plane.Length != Width * Height)
        {
            throw new ArgumentException($"plane has {plane.Length} values, expected {Width}×{Height}", nameof(plane));
        }

        return Resample(plane, 1, pad, clamp: false);
    }

    /// <summary>
    /// A Size × Size map back on the slice (Width × Height): bilinear with half-pixel centres inside the square, and
    /// <paramref name="outside"/> where the slice lies outside it.
    /// </summary>
    public float[] ToSlice(ReadOnlySpan<float> map, float outside)
    {
        if (map.Length != Size * Size)
        {
            throw new ArgumentException($"map has {map.Length} values, expected {Size}×{Size}", nameof(map));
        }

        var result = new float[Width * Height];
        double scale = (double)Size / Side;
        int side = Side, left = Left, top = Top;
        for (int y = 0; y < Height; y++)
        {
            int sy = y - top;
            for (int x = 0; x < Width; x++)
            {
                int sx = x - left;
                if (sx < 0 || sy < 0 || sx >= side || sy >= side)
                {
                    result[(y * Width) + x] = outside;
                    continue;
                }

                double u = Math.Clamp(((sx + 0.5) * scale) - 0.5, 0, Size - 1);
                double v = Math.Clamp(((sy + 0.5) * scale) - 0.5, 0, Size - 1);
                int u0 = (int)u, v0 = (int)v;
                int u1 = Math.Min(u0 + 1, Size - 1), v1 = Math.Min(v0 + 1, Size - 1);
                double fu = u - u0, fv = v - v0;
                double top0 = (map[(v0 * Size) + u0] * (1 - fu)) + (map[(v0 * Size) + u1] * fu);
                double bottom = (map[(v1 * Size) + u0] * (1 - fu)) + (map[(v1 * Size) + u1] * fu);
                result[(y * Width) + x] = (float)((top0 * (1 - fv)) + (bottom * fv));
            }
        }

        return result;
    }

    /// <summary>Slice pixel (column, row) of input pixel (u, v)'s centre.</summary>
    public (double X, double Y) ToSlicePoint(double u, double v)
    {
        double scale = (double)Side / Size;
        return (Left + ((u + 0.5) * scale) - 0.5, Top + ((v + 0.5) * scale) - 0.5);
    }
}
