namespace Headsup.Phantom.Raster;

/// <summary>A separable Gaussian blur of a row-major float image, clamped at the borders. Reuses its buffers.</summary>
public sealed class GaussianBlur
{
    private readonly float[] _kernel;
    private float[] _scratch = [];

    /// <summary>Creates a blur with standard deviation <paramref name="sigmaPixels"/> (kernel radius 3σ, at least 1).</summary>
    public GaussianBlur(double sigmaPixels)
    {
        if (!(sigmaPixels > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sigmaPixels), sigmaPixels, "sigma must be positive");
        }

        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigmaPixels));
        _kernel = new float[(2 * radius) + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++)
        {
            double w = Math.Exp(-(i * i) / (2 * sigmaPixels * sigmaPixels));
            _kernel[i + radius] = (float)w;
            sum += w;
        }

        double sumSquares = 0;
        for (int i = 0; i < _kernel.Length; i++)
        {
            _kernel[i] = (float)(_kernel[i] / sum);
            sumSquares += _kernel[i] * (double)_kernel[i];
        }

        NoiseGain = sumSquares;
    }

    /// <summary>
    /// The factor by which the 2-D blur scales the standard deviation of white noise: Σk² of the 1-D kernel (the square
    /// root of Σk² per axis, twice).
    /// </summary>
    public double NoiseGain { get; }

    /// <summary>Blurs <paramref name="image"/> in place.</summary>
    public void Apply(Span<float> image, int rows, int columns)
    {
        if (image.Length != rows * columns)
        {
            throw new ArgumentException("image size does not match rows × columns", nameof(image));
        }

        if (_scratch.Length < image.Length)
        {
            _scratch = new float[image.Length];
        }

        var scratch = _scratch.AsSpan(0, image.Length);
        int radius = _kernel.Length / 2;
        var k = _kernel;
        for (int r = 0; r < rows; r++)
        {
            var src = image.Slice(r * columns, columns);
            var dst = scratch.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++)
            {
                float acc = 0;
                if (c >= radius && c < columns - radius)
                {
                    int start = c - radius;
                    for (int i = 0; i < k.Length; i++)
                    {
                        acc += k[i] * src[start + i];
                    }
                }
                else
                {
                    for (int i = 0; i < k.Length; i++)
                    {
                        int cc = Math.Clamp(c + i - radius, 0, columns - 1);
                        acc += k[i] * src[cc];
                    }
                }

                dst[c] = acc;
            }
        }

        for (int r = 0; r < rows; r++)
        {
            var dst = image.Slice(r * columns, columns);
            dst.Clear();
            for (int i = 0; i < k.Length; i++)
            {
                int rr = Math.Clamp(r + i - radius, 0, rows - 1);
                var src = scratch.Slice(rr * columns, columns);
                float w = k[i];
                for (int c = 0; c < columns; c++)
                {
                    dst[c] += w * src[c];
                }
            }
        }
    }
}
