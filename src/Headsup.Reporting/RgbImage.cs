namespace Headsup.Reporting;

/// <summary>An 8-bit RGB image, samples interleaved (R, G, B per pixel), row by row: Rows × Columns × 3 bytes.</summary>
/// <param name="Columns">Width in pixels, 1 to 65535.</param>
/// <param name="Rows">Height in pixels, 1 to 65535.</param>
/// <param name="Pixels">The samples; the array is not copied.</param>
public sealed record RgbImage(int Columns, int Rows, byte[] Pixels)
{
    /// <summary>Width in pixels.</summary>
    public int Columns { get; init; } = RequireDimension(Columns, nameof(Columns));

    /// <summary>Height in pixels.</summary>
    public int Rows { get; init; } = RequireDimension(Rows, nameof(Rows));

    /// <summary>Interleaved RGB samples, exactly Rows × Columns × 3 bytes.</summary>
    public byte[] Pixels { get; init; } = RequirePixels(Columns, Rows, Pixels);

    /// <summary>Checks that the pixel buffer still matches the size (a <c>with</c> expression can change one without the other).</summary>
    /// <exception cref="ArgumentException">The buffer length is not Rows × Columns × 3.</exception>
    public void Validate() => RequirePixels(Columns, Rows, Pixels);

    private static int RequireDimension(int value, string name) =>
        value is >= 1 and <= ushort.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"RgbImage.{name} must be between 1 and {ushort.MaxValue}");

    private static byte[] RequirePixels(int columns, int rows, byte[] Pixels)
    {
        ArgumentNullException.ThrowIfNull(Pixels);
        long expected = (long)columns * rows * 3;
        if (Pixels.LongLength != expected)
        {
            throw new ArgumentException(
                $"RgbImage.Pixels has {Pixels.LongLength} bytes but Columns × Rows × 3 = {columns} × {rows} × 3 = {expected}", nameof(Pixels));
        }

        return Pixels;
    }
}
