namespace Headsup.Inputs;

/// <summary>
/// One network input (channels × size × size, row-major planes) with its <see cref="InputFrame"/> (where it sits on
/// the slice). Values are quantised to 1/255 steps (<see cref="InputQuantisation"/>), so the bytes the training cache
/// keeps and the floats detect and explain feed are the same numbers.
/// </summary>
public sealed record NetworkInput(float[] Values, int Channels, InputFrame Frame)
{
    /// <summary>The input as bytes (exact: every value is a multiple of the step).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Values.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = InputQuantisation.Level(Values[i]);
        }

        return bytes;
    }
}

/// <summary>
/// Model inputs take the 256 levels k × (1/255), k = 0..255: the recipe's [0, 1] values are rounded to the nearest
/// level. The brain window's 80 HU then moves in 0.3 HU steps, below CT noise; the training cache stores k as a byte,
/// and every path computes the float as k × (1f/255f), so training, evaluation, detect and explain agree to the bit.
/// </summary>
public static class InputQuantisation
{
    /// <summary>The step between levels, 1/255 in float32.</summary>
    public const float Step = 1f / 255f;

    /// <summary>The level k of a value (rounded, clamped to 0..255).</summary>
    public static byte Level(float value) => (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255);

    /// <summary>The value of level k: k × <see cref="Step"/>.</summary>
    public static float Value(byte level) => level * Step;

    /// <summary>Rounds every value to its level, in place.</summary>
    public static void Quantise(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Value(Level(values[i]));
        }
    }
}
