namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// A recipe tensor as channel planes (CHW) in the first channels × height × width values of a float or byte buffer,
/// which may be a worker's reused buffer (valid until its next image).
/// </summary>
internal readonly struct TensorPlanes
{
    public TensorPlanes(float[] floats, int channels, int height, int width)
    {
        Floats = floats;
        Channels = channels;
        Height = height;
        Width = width;
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

    public int Count => Channels * Height * Width;
}
