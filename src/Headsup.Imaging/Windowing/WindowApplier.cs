using System.Numerics;
using System.Runtime.InteropServices;

namespace Headsup.Imaging.Windowing;

/// <summary>Applies a window to a plane of HU values (vectorised; identical to <see cref="HuWindow.Apply"/>).</summary>
public static class WindowApplier
{
    /// <summary>Writes window(hu[i]) to destination[i].</summary>
    public static void Apply(HuWindow window, ReadOnlySpan<float> hu, Span<float> destination)
    {
        if (destination.Length < hu.Length)
        {
            throw new ArgumentException("destination is shorter than the input", nameof(destination));
        }

        float lo = (float)window.LowerHu;
        float hi = (float)window.UpperHu;
        float width = (float)window.WidthHu;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vLo = new Vector<float>(lo);
            var vHi = new Vector<float>(hi);
            var vWidth = new Vector<float>(width);
            var input = MemoryMarshal.Cast<float, Vector<float>>(hu);
            var output = MemoryMarshal.Cast<float, Vector<float>>(destination);
            for (int v = 0; v < input.Length; v++)
            {
                output[v] = (Vector.Min(Vector.Max(input[v], vLo), vHi) - vLo) / vWidth;
            }

            i = input.Length * Vector<float>.Count;
        }

        for (; i < hu.Length; i++)
        {
            destination[i] = (Math.Clamp(hu[i], lo, hi) - lo) / width;
        }
    }
}
