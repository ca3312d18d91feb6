using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Anatomy;

/// <summary>
/// Adds CT-like quantum noise: Gaussian white noise blurred slightly (so neighbouring pixels correlate, as after a
/// reconstruction kernel) and rescaled to the requested standard deviation.
/// </summary>
public sealed class ScannerNoise
{
    private const double CorrelationSigmaPixels = 0.7;
    private readonly GaussianBlur _blur = new(CorrelationSigmaPixels);
    private float[] _noise = [];

    /// <summary>Adds noise of standard deviation <paramref name="stdHu"/> to <paramref name="hu"/>.</summary>
    public void Add(Span<float> hu, SliceGrid grid, double stdHu, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        grid.CheckLength(hu.Length, nameof(hu));
        if (!(stdHu >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(stdHu), stdHu, "noise must be non-negative");
        }

        if (_noise.Length != hu.Length)
        {
            _noise = new float[hu.Length];
        }

        for (int i = 0; i < _noise.Length; i += 2)
        {
            // Box–Muller: two independent normals from two uniforms.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            double angle = 2.0 * Math.PI * u2;
            _noise[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < _noise.Length)
            {
                _noise[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }

        _blur.Apply(_noise, grid.Rows, grid.Columns);
        float scale = (float)(stdHu / _blur.NoiseGain);
        for (int i = 0; i < hu.Length; i++)
        {
            hu[i] += scale * _noise[i];
        }
    }
}
