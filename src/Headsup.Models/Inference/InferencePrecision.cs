using TorchSharp;
using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Models;

/// <summary>Number format of batched inference.</summary>
public enum InferencePrecision
{
    /// <summary>32-bit floats (the weights as trained).</summary>
    Float32,

    /// <summary>
    /// bfloat16 weights and activations (oneDNN accumulates in float32): about 2.5× faster on CPUs with AVX512-BF16 or
    /// AMX, and very slow on CPUs without them, so it is only chosen where the CPU has them.
    /// </summary>
    BFloat16,
}

/// <summary>Chooses the inference precision and makes the network copy that runs in it.</summary>
public static class InferencePrecisions
{
    /// <summary>Environment variable that forces a precision: "fp32" or "bf16".</summary>
    public const string EnvironmentVariable = "HEADSUP_INFERENCE_PRECISION";

    private static readonly Lazy<bool> s_cpuHasBf16 = new(ReadCpuFlags);

    /// <summary>Whether this CPU computes bfloat16 natively (Linux /proc/cpuinfo flags avx512_bf16 or amx_bf16).</summary>
    public static bool CpuHasBf16 => s_cpuHasBf16.Value;

    /// <summary>bf16 where the CPU has it, else fp32; <see cref="EnvironmentVariable"/> overrides.</summary>
    public static InferencePrecision Default()
    {
        var forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.Equals(forced, "fp32", StringComparison.OrdinalIgnoreCase))
        {
            return InferencePrecision.Float32;
        }

        if (string.Equals(forced, "bf16", StringComparison.OrdinalIgnoreCase))
        {
            return InferencePrecision.BFloat16;
        }

        return CpuHasBf16 ? InferencePrecision.BFloat16 : InferencePrecision.Float32;
    }

    /// <summary>The scalar type of a precision.</summary>
    public static ScalarType ScalarType(InferencePrecision precision) => precision == InferencePrecision.BFloat16 ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32;

    /// <summary>
    /// A copy of <paramref name="network"/> in eval mode converted to <paramref name="precision"/> (for Float32 the
    /// network itself is returned). The copy shares nothing with the original.
    /// </summary>
    public static ClassifierNetwork Convert(ClassifierNetwork network, InferencePrecision precision)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (precision == InferencePrecision.Float32)
        {
            return network;
        }

        var copy = NetworkFactory.Create(network.Architecture, network.InputChannels, network.Outputs, pretrained: false);
        using (no_grad())
        {
            var source = network.state_dict();
            foreach (var (name, tensor) in copy.state_dict())
            {
                tensor.copy_(source[name]);
            }
        }

        copy.to(ScalarType(precision));
        copy.eval();
        return copy;
    }

    private static bool ReadCpuFlags()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo"))
            {
                return false;
            }

            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("flags", StringComparison.Ordinal))
                {
                    var flags = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }
}
