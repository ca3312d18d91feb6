using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// Channel planes (CHW, the model's layout) → interleaved pixels (HWC, the .npy and PNG layout). Pure data movement,
/// so every path gives the same bytes; three float channels (E2, the common case) use AVX2 permutes where available.
/// </summary>
internal static class ChannelInterleaver
{
    /// <summary>Writes <paramref name="planes"/> (channels × plane values) to <paramref name="pixels"/> as plane × channels values.</summary>
    public static void Interleave<T>(ReadOnlySpan<T> planes, int channels, Span<T> pixels)
        where T : struct
    {
        if (channels <= 0 || planes.Length % channels != 0 || pixels.Length < planes.Length)
        {
            throw new ArgumentException($"{planes.Length} values do not make {channels} planes, or the destination holds {pixels.Length}");
        }

        int plane = planes.Length / channels;
        int done = 0;
        if (typeof(T) == typeof(float) && channels == 3 && Avx2.IsSupported)
        {
            done = InterleaveThreeFloats(MemoryMarshal.Cast<T, float>(planes), MemoryMarshal.Cast<T, float>(pixels), plane);
        }

        for (int c = 0; c < channels; c++)
        {
            var source = planes.Slice(c * plane, plane);
            for (int i = done; i < plane; i++)
            {
                pixels[(i * channels) + c] = source[i];
            }
        }
    }

    /// <summary>
    /// Eight pixels at a time: R, G and B vectors become r0 g0 b0 r1 g1 b1 r2 g2 | b2 r3 g3 b3 r4 g4 b4 r5 | g5 b5 r6 g6
    /// b6 r7 g7 b7, each output vector a permute of R, of G and of B merged by lane. Returns the pixels done.
    /// </summary>
    private static unsafe int InterleaveThreeFloats(ReadOnlySpan<float> planes, Span<float> pixels, int plane)
    {
        // Lane masks: lanes {0,3,6}, {1,4,7}, {2,5}. Output vector 0 takes R, G, B in them; 1 takes B, R, G; 2 takes G, B, R.
        var lanes036 = Vector256.Create(-1, 0, 0, -1, 0, 0, -1, 0).AsSingle();
        var lanes147 = Vector256.Create(0, -1, 0, 0, -1, 0, 0, -1).AsSingle();
        var red0 = Vector256.Create(0, 0, 0, 1, 0, 0, 2, 0);
        var green0 = Vector256.Create(0, 0, 0, 0, 1, 0, 0, 2);
        var blue0 = Vector256.Create(0, 0, 0, 0, 0, 1, 0, 0);
        var blue1 = Vector256.Create(2, 0, 0, 3, 0, 0, 4, 0);
        var red1 = Vector256.Create(0, 3, 0, 0, 4, 0, 0, 5);
        var green1 = Vector256.Create(0, 0, 3, 0, 0, 4, 0, 0);
        var green2 = Vector256.Create(5, 0, 0, 6, 0, 0, 7, 0);
        var blue2 = Vector256.Create(0, 5, 0, 0, 6, 0, 0, 7);
        var red2 = Vector256.Create(0, 0, 6, 0, 0, 7, 0, 0);
        int vectors = plane / Vector256<float>.Count;
        fixed (float* source = planes)
        fixed (float* destination = pixels)
        {
            float* r = source;
            float* g = source + plane;
            float* b = source + (2 * plane);
            float* o = destination;
            for (int v = 0; v < vectors; v++, r += 8, g += 8, b += 8, o += 24)
            {
                var vr = Avx.LoadVector256(r);
                var vg = Avx.LoadVector256(g);
                var vb = Avx.LoadVector256(b);
                Avx.Store(o, Avx.BlendVariable(Avx.BlendVariable(Avx2.PermuteVar8x32(vb, blue0), Avx2.PermuteVar8x32(vg, green0), lanes147), Avx2.PermuteVar8x32(vr, red0), lanes036));
                Avx.Store(o + 8, Avx.BlendVariable(Avx.BlendVariable(Avx2.PermuteVar8x32(vg, green1), Avx2.PermuteVar8x32(vr, red1), lanes147), Avx2.PermuteVar8x32(vb, blue1), lanes036));
                Avx.Store(o + 16, Avx.BlendVariable(Avx.BlendVariable(Avx2.PermuteVar8x32(vr, red2), Avx2.PermuteVar8x32(vb, blue2), lanes147), Avx2.PermuteVar8x32(vg, green2), lanes036));
            }
        }

        return vectors * Vector256<float>.Count;
    }
}
