using static TorchSharp.torch;

namespace Headsup.Models.Training;

/// <summary>
/// Batch augmentation on N×C×H×W inputs in [0, 1], on the CPU with torch ops: random horizontal flip (head CT is
/// left–right symmetric enough), a random affine (rotation, isotropic scale, shift; bilinear, zero padding) and
/// intensity jitter (contrast, brightness, Gaussian noise). Strength 0 returns the input unchanged.
/// </summary>
public sealed class Augmenter : IDisposable
{
    private readonly double _strength;
    private readonly Generator _generator;

    public Augmenter(double strength, long seed)
    {
        _strength = Math.Clamp(strength, 0, 1);
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

        long n = batch.shape[0];
        using var scope = NewDisposeScope();
        var flip = rand(new[] { n, 1L, 1L, 1L }, generator: _generator) < 0.5;
        var x = where(flip, batch.flip(3), batch);

        var angle = (rand(n, generator: _generator) * 2 - 1) * (15.0 * Math.PI / 180.0 * _strength);
        var scale = 1 + ((rand(n, generator: _generator) * 2 - 1) * (0.15 * _strength));
        var shift = (rand(new[] { n, 2L }, generator: _generator) * 2 - 1) * (0.08 * _strength);
        var cos = angle.cos() / scale;
        var sin = angle.sin() / scale;
        var theta = stack(new[]
        {
            stack(new[] { cos, -sin, shift[.., 0] }, 1),
            stack(new[] { sin, cos, shift[.., 1] }, 1),
        }, 1);
        var grid = nn.functional.affine_grid(theta, batch.shape, align_corners: false);
        x = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);

        var contrast = 1 + ((rand(new[] { n, 1L, 1L, 1L }, generator: _generator) * 2 - 1) * (0.15 * _strength));
        var brightness = (rand(new[] { n, 1L, 1L, 1L }, generator: _generator) * 2 - 1) * (0.06 * _strength);
        x = (x * contrast) + brightness;
        x = x + (randn(x.shape, generator: _generator) * (0.02 * _strength));
        return x.clamp(0, 1).MoveToOuterDisposeScope();
    }
}
