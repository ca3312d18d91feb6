using Headsup.Core.IO;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Imaging.Recipes;

namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// Writes a tensor as .npy (H×W or H×W×C, float32 or uint8) or PNG through a temporary name and a rename
/// (<see cref="AtomicFile"/>). Channels are interleaved into one reused buffer per writer.
/// </summary>
internal sealed class TensorFileWriter(PreprocessFormat format)
{
    private float[] _floats = [];
    private byte[] _bytes = [];

    /// <summary>The file extension, without the dot.</summary>
    public string Extension { get; } = format == PreprocessFormat.Npy ? "npy" : "png";

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/>.</summary>
    public void Write(string path, TensorPlanes tensor)
    {
        int count = tensor.Count;
        int channels = tensor.Channels;
        int[] shape = channels == 1 ? [tensor.Height, tensor.Width] : [tensor.Height, tensor.Width, channels];
        if (tensor.Floats is { } planes)
        {
            var hwc = channels == 1 || tensor.Interleaved ? planes : Interleave(planes.AsSpan(0, count), channels, ref _floats);
            if (format == PreprocessFormat.Npy)
            {
                AtomicFile.Write(path, stream => NpyWriter.Write(stream, hwc.AsSpan(0, count), shape));
            }
            else
            {
                var pixels = RecipeBuilder.Quantize(hwc.AsSpan(0, count), E3Quantization.Rounded);
                AtomicFile.Write(path, stream => PngWriter.Write(stream, pixels, tensor.Width, tensor.Height, channels));
            }

            return;
        }

        var bytes = channels == 1 ? tensor.Bytes! : Interleave(tensor.Bytes.AsSpan(0, count), channels, ref _bytes);
        if (format == PreprocessFormat.Npy)
        {
            AtomicFile.Write(path, stream => NpyWriter.Write(stream, bytes.AsSpan(0, count), shape));
        }
        else
        {
            AtomicFile.Write(path, stream => PngWriter.Write(stream, bytes.AsSpan(0, count), tensor.Width, tensor.Height, channels));
        }
    }

    /// <summary>CHW planes → HWC (interleaved) into <paramref name="buffer"/>, grown when too small.</summary>
    private static T[] Interleave<T>(ReadOnlySpan<T> planes, int channels, ref T[] buffer)
        where T : struct
    {
        if (buffer.Length < planes.Length)
        {
            buffer = new T[planes.Length];
        }

        ChannelInterleaver.Interleave(planes, channels, buffer.AsSpan(0, planes.Length));
        return buffer;
    }
}
