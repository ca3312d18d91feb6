using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>
/// Batch augmentation on N×C×H×W inputs in [0, 1], on the CPU: random horizontal flip (head CT is left–right
/// symmetric enough), a random affine (rotation, isotropic scale, shift; bilinear, zero padding) and intensity jitter
/// (contrast, brightness, Gaussian noise). Strength 0 returns the input unchanged. The per-image parameters are drawn
/// with a seeded .NET <see cref="Random"/> and enter torch as tensors: no implicit scalar conversions in the loop
/// (an implicit TorchSharp Scalar can be finalised while its native call still runs, which crashed a long run).
/// </summary>
public sealed class Augmenter : IDisposable
{
    private readonly double _strength;
    private readonly Random _random;
    private readonly Generator _generator;

    public Augmenter(double strength, long seed)
    {
        _strength = Math.Clamp(strength, 0, 1);
        _random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        _generator = new Generator((ulong)seed);
    }

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();

    /// <summary>Returns an augmented copy of <paramref name="batch"/>.</summary>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_strength <= 0)
        {
            return batch.alias();
        }

        int n = (int)batch.shape[0];
        var theta = new float[n * 6];
        var gain = new float[n];
        var offset = new float[n];
        var flip = new bool[n];
        for (int i = 0; i < n; i++)
        {
            flip[i] = _random.NextDouble() < 0.5;
            double angle = Uniform() * 15.0 * Math.PI / 180.0 * _strength;
            double scale = 1 + (Uniform() * 0.15 * _strength);
            double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
            theta[(i * 6) + 0] = (float)cos;
            theta[(i * 6) + 1] = (float)-sin;
            theta[(i * 6) + 2] = (float)(Uniform() * 0.08 * _strength);
            theta[(i * 6) + 3] = (float)sin;
            theta[(i * 6) + 4] = (float)cos;
            theta[(i * 6) + 5] = (float)(Uniform() * 0.08 * _strength);
            gain[i] = (float)(1 + (Uniform() * 0.15 * _strength));
            offset[i] = (float)(Uniform() * 0.06 * _strength);
        }

        using var scope = NewDisposeScope();
        var flipMask = tensor(flip, new long[] { n, 1, 1, 1 });
        var x = where(flipMask, batch.flip(3), batch);
        var grid = nn.functional.affine_grid(tensor(theta, new long[] { n, 2, 3 }), batch.shape, align_corners: false);
        x = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        x = x.mul(tensor(gain, new long[] { n, 1, 1, 1 })).add(tensor(offset, new long[] { n, 1, 1, 1 }));
        x = x.add(randn(x.shape, generator: _generator).mul(tensor((float)(0.02 * _strength))));
        return x.clamp(tensor(0f), tensor(1f)).MoveToOuterDisposeScope();
    }

    private double Uniform() => (_random.NextDouble() * 2) - 1;
}
