using Headsup.Core.IO;
using System.Security.Cryptography;
using System.Text;
using Headsup.Dicom.Writing;
using Headsup.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Models.Packaging;

/// <summary>How floating-point tensors are stored.</summary>
public enum WeightsPrecision
{
    /// <summary>Exact (checkpoints).</summary>
    Float32,

    /// <summary>Half precision for weight tensors (≥ 1,024 values): about half the size; small tensors stay float32.</summary>
    Float16,

    /// <summary>
    /// Convolution and linear weights (rank ≥ 2, ≥ 1,024 values) as int8 in blocks with one float16 scale each
    /// (symmetric, scale = max |w| / 127): a block is one k×k kernel for k ≥ 3, else one output channel. About 1.2 bytes
    /// a weight for 3×3 convolutions: keeps the pretrained ResNet-18 (15.9 M parameters) package under 25 MB with
    /// feature cosine ≥ 0.999 to float32 (tested). Small tensors stay float32. Calibration and the package's metrics are
    /// computed on these stored weights, not on the float32 network.
    /// </summary>
    Int8Blocks,
}

/// <summary>
/// A module's state (parameters and buffers) in a small self-describing file: magic "HUWT", version, then per tensor
/// its name, stored type, shape and little-endian bytes. Floating-point tensors can be stored as float16 to halve the
/// size (a model package) or float32 (a checkpoint, exact). Loading checks every name and shape against the module.
/// </summary>
public static class WeightsFile
{
    private const uint Magic = 0x54575548; // "HUWT"
    private const int Version = 1;
    private const long MaxTensorBytes = 1L << 31;

    /// <summary>Writes the state of <paramref name="module"/> to <paramref name="path"/> (atomically) and returns its sha256.</summary>
    public static string Save(nn.Module module, string path, WeightsPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(module);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var state = module.state_dict();
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(state.Count);
            foreach (var (name, tensor) in state)
            {
                using var scope = NewDisposeScope();
                var stored = tensor.detach().cpu().contiguous();
                byte code;
                byte[]? scales = null;
                if (stored.dtype == ScalarType.Float32)
                {
                    if (precision == WeightsPrecision.Int8Blocks && stored.shape.Length >= 2 && stored.numel() >= 1024)
                    {
                        code = 3;
                        long block = BlockSize(stored.shape);
                        var blocks = stored.reshape(-1, block);
                        var scale = blocks.abs().amax(new long[] { 1 }).DividedBy(127.0).ClampedBelow(1e-7).to_type(ScalarType.Float16);
                        scales = scale.bytes.ToArray();
                        stored = blocks.div(scale.to_type(ScalarType.Float32).unsqueeze(1)).round().ClampedTo(-127, 127).to_type(ScalarType.Int8).reshape(stored.shape);
                    }
                    else if (precision == WeightsPrecision.Float32 || stored.numel() < 1024 || stored.abs().max().item<float>() > 60000f)
                    {
                        // Small tensors (biases, batch-norm scales and running statistics) stay exact: they are a
                        // negligible part of the size, and running variances of a network fed 0..255 overflow float16.
                        code = 1;
                    }
                    else
                    {
                        code = 0;
                        stored = stored.to_type(ScalarType.Float16);
                    }
                }
                else if (stored.dtype == ScalarType.Int64)
                {
                    code = 2;
                }
                else
                {
                    throw new ModelException(path, $"tensor {name} has unsupported type {stored.dtype}");
                }

                writer.Write(name);
                writer.Write(code);
                writer.Write(stored.shape.Length);
                foreach (var d in stored.shape)
                {
                    writer.Write(d);
                }

                if (scales is not null)
                {
                    writer.Write(scales);
                }

                var bytes = stored.bytes;
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        });
        return Sha256(path);
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="module"/>; every tensor must match by name and shape.</summary>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!File.Exists(path))
        {
            throw new ModelException(path, "weights file not found");
        }

        var state = module.state_dict();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (reader.ReadUInt32() != Magic)
            {
                throw new ModelException(path, "not a HEADS UP weights file");
            }

            int version = reader.ReadInt32();
            if (version != Version)
            {
                throw new ModelException(path, $"weights format version {version} is not supported (this build reads {Version})");
            }

            int count = reader.ReadInt32();
            if (count < 0 || count > 100_000)
            {
                throw new ModelException(path, $"implausible tensor count {count}");
            }

            for (int i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                byte code = reader.ReadByte();
                int rank = reader.ReadInt32();
                if (rank < 0 || rank > 8)
                {
                    throw new ModelException(path, $"tensor {name}: implausible rank {rank}");
                }

                var shape = new long[rank];
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = reader.ReadInt64();
                }

                byte[]? scales = null;
                if (code == 3)
                {
                    long elements = shape.Aggregate(1L, (a, b) => a * b);
                    long block = rank >= 2 ? BlockSize(shape) : 0;
                    if (block <= 0 || elements % block != 0 || elements / block > 1 << 26)
                    {
                        throw new ModelException(path, $"tensor {name}: int8 storage needs a weight tensor, got shape [{string.Join(',', shape)}]");
                    }

                    scales = reader.ReadBytes(checked((int)(elements / block * 2)));
                }

                long length = reader.ReadInt64();
                if (length < 0 || length > MaxTensorBytes || length > stream.Length - stream.Position)
                {
                    throw new ModelException(path, $"tensor {name}: length {length} runs past the end of the file");
                }

                if (!state.TryGetValue(name, out var target))
                {
                    throw new ModelException(path, $"tensor {name} does not exist in a {module.GetType().Name}; the package was made for another architecture");
                }

                if (!target.shape.SequenceEqual(shape))
                {
                    throw new ModelException(path, $"tensor {name} has shape [{string.Join(',', shape)}], the network expects [{string.Join(',', target.shape)}]");
                }

                var dtype = code switch
                {
                    0 => ScalarType.Float16,
                    1 => ScalarType.Float32,
                    2 => ScalarType.Int64,
                    3 => ScalarType.Int8,
                    _ => throw new ModelException(path, $"tensor {name}: unknown stored type {code}"),
                };
                var bytes = reader.ReadBytes(checked((int)length));
                using var scope = NewDisposeScope();
                var loaded = empty(shape, dtype);
                if (loaded.bytes.Length != bytes.Length)
                {
                    throw new ModelException(path, $"tensor {name}: {bytes.Length} bytes for shape [{string.Join(',', shape)}] of {dtype}");
                }

                loaded.bytes = bytes;
                if (scales is not null)
                {
                    long block = BlockSize(shape);
                    var scale = empty(new long[] { scales.Length / 2 }, ScalarType.Float16);
                    scale.bytes = scales;
                    loaded = (loaded.to_type(ScalarType.Float32).reshape(-1, block) * scale.to_type(ScalarType.Float32).unsqueeze(1)).reshape(shape);
                }

                using (no_grad())
                {
                    target.copy_(loaded.to_type(target.dtype));
                }

                seen.Add(name);
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelException(path, "weights file is truncated", ex);
        }

        var missing = state.Keys.Where(k => !seen.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            throw new ModelException(path, $"{missing.Count} tensors of the network are missing from the file (first: {missing[0]})");
        }
    }

    /// <summary>
    /// Rounds the module's weights to what <paramref name="precision"/> stores (save and load through a temporary
    /// file), so that calibration and metrics describe exactly the weights a package will hold.
    /// </summary>
    public static void RoundTrip(nn.Module module, WeightsPrecision precision)
    {
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "headsup-weights-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            Save(module, temp, precision);
            Load(module, temp);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Values per int8 block: one k×k kernel (k ≥ 3) of a convolution, else one output channel.</summary>
    private static long BlockSize(long[] shape)
    {
        long kernel = shape.Length == 4 ? shape[2] * shape[3] : 1;
        return kernel >= 9 ? kernel : shape.Skip(1).Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>Lower-case hex sha256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
