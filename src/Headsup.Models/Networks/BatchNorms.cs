using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Headsup.Models.Networks;

/// <summary>
/// <see cref="BatchNorm2d"/>'s forward, step for step (PyTorch's _BatchNorm.forward), without the temporary Scalar
/// TorchSharp's own passes in training mode (<c>num_batches_tracked.add_(1)</c>; see <see cref="TorchScalars"/>).
/// Our networks call this instead of <c>bn.forward</c>; the module, its parameters, buffers and state-dict names stay
/// TorchSharp's.
/// </summary>
public static class BatchNorms
{
    /// <summary>bn(input): batch statistics (and running-statistics update) in training mode, running statistics in eval.</summary>
    public static Tensor Forward(BatchNorm2d bn, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(bn);
        double factor = bn.momentum ?? 0.0;
        if (bn.training && bn.track_running_stats && bn.num_batches_tracked is { } tracked)
        {
            tracked.add_(TorchScalars.One, TorchScalars.One);
            factor = bn.momentum ?? (1.0 / tracked.item<long>());
        }

        bool batchStatistics = bn.training || (bn.running_mean is null && bn.running_var is null);
        bool runningStatistics = !bn.training || bn.track_running_stats;
        return functional.batch_norm(
            input,
            runningStatistics ? bn.running_mean : null,
            runningStatistics ? bn.running_var : null,
            bn.weight,
            bn.bias,
            batchStatistics,
            factor,
            bn.eps);
    }
}
