using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>
/// The running mean of a module's state over the snapshots added (stochastic weight averaging): floating-point
/// parameters and buffers (BatchNorm's running mean and variance) are averaged in float32 whatever the module's type;
/// integer buffers (BatchNorm's batch count) keep the last snapshot's value. Holds one float32 copy of the state.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private Dictionary<string, Tensor>? _mean;

    /// <summary>Snapshots added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Adds the module's current state: mean += (state − mean) / (count + 1).</summary>
    public void Add(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var _ = no_grad();
        if (_mean is null)
        {
            _mean = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, value) in module.state_dict())
            {
                _mean[name] = (value.is_floating_point() ? value.detach().to(ScalarType.Float32) : value.detach()).clone();
            }

            Count = 1;
            return;
        }

        double weight = 1.0 / (Count + 1);
        foreach (var (name, value) in module.state_dict())
        {
            var mean = _mean.TryGetValue(name, out var m) ? m : throw new ArgumentException($"the module has a tensor '{name}' the first snapshot did not", nameof(module));
            if (value.is_floating_point())
            {
                using var current = value.detach().to(ScalarType.Float32);
                using var delta = current.sub(mean);
                mean.PlusScaledInPlace(delta, weight);
            }
            else
            {
                mean.copy_(value.detach());
            }
        }

        Count++;
    }

    /// <summary>Writes the mean into <paramref name="module"/> (converted to each tensor's own type).</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public void CopyTo(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var mean = _mean ?? throw new InvalidOperationException("no snapshot was added");
        using var _ = no_grad();
        foreach (var (name, value) in module.state_dict())
        {
            value.copy_(mean[name]);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_mean is not null)
        {
            foreach (var t in _mean.Values)
            {
                t.Dispose();
            }

            _mean = null;
        }
    }
}
