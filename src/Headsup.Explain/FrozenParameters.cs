using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Headsup.Explain;

/// <summary>
/// Puts a network in eval mode and stops its parameters from collecting gradients while an explanation runs; disposing
/// restores each parameter's requires_grad (the network stays in eval mode).
/// </summary>
internal sealed class FrozenParameters : IDisposable
{
    private readonly List<(Parameter Parameter, bool RequiresGrad)> _saved;

    public FrozenParameters(nn.Module network)
    {
        network.eval();
        _saved = network.parameters().Select(p => (p, p.requires_grad)).ToList();
        foreach (var (parameter, _) in _saved)
        {
            parameter.requires_grad = false;
        }
    }

    /// <summary>The type of the network's parameters (float32, or bfloat16 for an inference copy); inputs are cast to it.</summary>
    public static ScalarType ParameterType(nn.Module network) => network.parameters().Select(p => p.dtype).FirstOrDefault(ScalarType.Float32);

    public void Dispose()
    {
        foreach (var (parameter, requiresGrad) in _saved)
        {
            parameter.requires_grad = requiresGrad;
        }
    }
}
