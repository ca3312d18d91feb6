using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Models.Packaging;

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
    public static string Save(nn.Module module, string path, bool float16)
    {
        ArgumentNullException.ThrowIfNull(module);
        var temp = path + ".partial";
        using (var stream = File.Create(temp))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: false))
        {
            var state = module.state_dict();
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(state.Count);
            foreach (var (name, tensor) in state)
            {
                using var scope = NewDisposeScope();
                var stored = tensor.detach().cpu().contiguous();
                byte code;
                if (stored.dtype == ScalarType.Float32)
                {
                    code = float16 ? (byte)0 : (byte)1;
                    if (float16)
                    {
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

                var bytes = stored.bytes;
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }

        File.Move(temp, path, overwrite: true);
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

    /// <summary>Lower-case hex sha256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
