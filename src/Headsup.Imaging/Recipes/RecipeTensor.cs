namespace Headsup.Imaging.Recipes;

/// <summary>
/// A recipe's output: channels × height × width (CHW, the model's layout), float32 or, for E3, uint8.
/// </summary>
public sealed class RecipeTensor
{
    /// <summary>Creates a float tensor.</summary>
    public RecipeTensor(float[] data, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        Check(data.Length, channels, height, width);
        Floats = data;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Creates a byte tensor.</summary>
    public RecipeTensor(byte[] data, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        Check(data.Length, channels, height, width);
        Bytes = data;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Float data (CHW) or null for byte tensors.</summary>
    public float[]? Floats { get; }

    /// <summary>Byte data (CHW) or null for float tensors.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Channels.</summary>
    public int Channels { get; }

    /// <summary>Height (rows).</summary>
    public int Height { get; }

    /// <summary>Width (columns).</summary>
    public int Width { get; }

    /// <summary>The data as H×W×C float (interleaved), e.g. for .npy files.</summary>
    public float[] ToHwcFloats() => Floats is null ? throw new InvalidOperationException("byte tensor") : Interleave(Floats);

    /// <summary>The data as H×W×C bytes (interleaved).</summary>
    public byte[] ToHwcBytes() => Bytes is null ? throw new InvalidOperationException("float tensor") : Interleave(Bytes);

    private T[] Interleave<T>(T[] planar)
    {
        if (Channels == 1)
        {
            return (T[])planar.Clone();
        }

        int plane = Height * Width;
        var result = new T[planar.Length];
        for (int c = 0; c < Channels; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                result[(i * Channels) + c] = planar[(c * plane) + i];
            }
        }

        return result;
    }

    private static void Check(int length, int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0 || length != channels * height * width)
        {
            throw new ArgumentException($"{length} values do not make {channels}×{height}×{width}");
        }
    }
}
