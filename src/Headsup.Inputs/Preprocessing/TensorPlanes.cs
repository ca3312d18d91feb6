namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// A recipe tensor in the first channels × height × width values of a float or byte buffer, which may be a worker's
/// reused buffer (valid until its next image): channel planes (CHW), or already interleaved pixels (HWC).
/// </summary>
internal readonly struct TensorPlanes
{
    public TensorPlanes(float[] floats, int channels, int height, int width, bool interleaved = false)
    {
        Floats = floats;
        Channels = channels;
        Height = height;
        Width = width;
        Interleaved = interleaved;
    }

    public TensorPlanes(byte[] bytes, int channels, int height, int width)
    {
        Bytes = bytes;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public float[]? Floats { get; }

    public byte[]? Bytes { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>True when the values are pixels with their channels together (HWC) rather than planes (CHW).</summary>
    public bool Interleaved { get; }

    public int Count => Channels * Height * Width;
}
