using System.Numerics;
using System.Runtime.InteropServices;
using Headsup.Dicom.Pixels;

namespace Headsup.Imaging.Rescale;

/// <summary>
/// Converts one decoded frame of stored values to Hounsfield units (float32): mask to Bits Stored, sign-extend,
/// apply the RSNA correction when flagged, rescale, then map padding and out-of-field values to air.
/// The common 16-bit case is vectorised; nothing is allocated per call.
/// </summary>
public static class HuConverter
{
    /// <summary>Converts <paramref name="frame"/> (little-endian samples, one channel) into <paramref name="hu"/>.</summary>
    public static void Convert(ReadOnlySpan<byte> frame, in PixelDataInfo info, RescaleParameters parameters, Span<float> hu)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (info.SamplesPerPixel != 1)
        {
            throw new ArgumentException($"CT frames have one sample per pixel, not {info.SamplesPerPixel}", nameof(info));
        }

        int count = info.Rows * info.Columns;
        if (hu.Length < count || frame.Length < count * info.BytesPerSample)
        {
            throw new ArgumentException($"buffers too small for {info.Rows}×{info.Columns}");
        }

        hu = hu[..count];
        switch (info.BitsAllocated)
        {
            case 16:
                Convert16(MemoryMarshal.Cast<byte, ushort>(frame[..(count * 2)]), parameters, hu);
                break;
            case 8:
                ConvertGeneric(frame[..count], 1, parameters, hu);
                break;
            default:
                ConvertGeneric(frame[..(count * 4)], 4, parameters, hu);
                break;
        }

        ApplyAir(parameters, hu);
    }

    /// <summary>The stored value of a raw sample after masking and sign extension (before any correction).</summary>
    public static int StoredValue(uint raw, RescaleParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int bits = parameters.BitsStored;
        uint mask = bits >= 32 ? uint.MaxValue : (1u << bits) - 1;
        uint masked = raw & mask;
        if (parameters.IsSigned && bits < 32)
        {
            int shift = 32 - bits;
            return ((int)(masked << shift)) >> shift;
        }

        return (int)masked;
    }

    private static void Convert16(ReadOnlySpan<ushort> raw, RescaleParameters p, Span<float> hu)
    {
        int bits = p.BitsStored;
        int mask = bits >= 16 ? 0xFFFF : (1 << bits) - 1;
        int shift = 32 - bits;
        bool signed = p.IsSigned;
        bool rsna = p.RsnaCorrection;
        bool integral = p.IsIntegral;
        double slopeD = (double)p.Slope;
        double interceptD = (double)p.Intercept;
        int interceptI = integral ? (int)p.Intercept : 0;
        bool hasPadding = p.MapPaddingToAir && p.PaddingValue.HasValue;

        int i = 0;
        if (Vector.IsHardwareAccelerated && integral && Vector<int>.Count * 2 == Vector<ushort>.Count)
        {
            var vMask = new Vector<int>(mask);
            var vIntercept = new Vector<int>(interceptI);
            var v1000 = new Vector<int>(1000);
            var v4096 = new Vector<int>(4096);
            int padLow = 0, padHigh = 0;
            if (hasPadding)
            {
                int padding = p.PaddingValue!.Value;
                int limit = p.PaddingRangeLimit ?? padding;
                padLow = Math.Min(padding, limit);
                padHigh = Math.Max(padding, limit);
            }

            var vPadLow = new Vector<int>(padLow);
            var vPadHigh = new Vector<int>(padHigh);
            var vAirInt = new Vector<int>((int)RescaleParameters.AirHu);
            var rawVectors = MemoryMarshal.Cast<ushort, Vector<ushort>>(raw);
            var huVectors = MemoryMarshal.Cast<float, Vector<float>>(hu);
            int n = Math.Min(rawVectors.Length, huVectors.Length / 2);
            for (int v = 0; v < n; v++)
            {
                Vector.Widen(rawVectors[v], out Vector<uint> lo, out Vector<uint> hi);
                huVectors[2 * v] = Vector.ConvertToSingle(Transform(Vector.AsVectorInt32(lo)));
                huVectors[(2 * v) + 1] = Vector.ConvertToSingle(Transform(Vector.AsVectorInt32(hi)));
            }

            i = n * Vector<ushort>.Count;

            Vector<int> Transform(Vector<int> x)
            {
                x &= vMask;
                if (signed)
                {
                    x = Vector.ShiftRightArithmetic(Vector.ShiftLeft(x, shift), shift);
                }

                var padded = hasPadding ? Vector.GreaterThanOrEqual(x, vPadLow) & Vector.LessThanOrEqual(x, vPadHigh) : Vector<int>.Zero;
                if (rsna)
                {
                    x += v1000;
                    x -= Vector.GreaterThanOrEqual(x, v4096) & v4096;
                }

                x += vIntercept;
                return hasPadding ? Vector.ConditionalSelect(padded, vAirInt, x) : x;
            }
        }

        for (; i < raw.Length; i++)
        {
            int stored = raw[i] & mask;
            if (signed)
            {
                stored = (stored << shift) >> shift;
            }

            if (hasPadding && IsPadding(stored, p))
            {
                hu[i] = RescaleParameters.AirHu;
                continue;
            }

            if (rsna)
            {
                stored += 1000;
                if (stored >= 4096)
                {
                    stored -= 4096;
                }
            }

            hu[i] = integral ? stored + interceptI : (float)((stored * slopeD) + interceptD);
        }

    }

    private static void ConvertGeneric(ReadOnlySpan<byte> frame, int bytesPerSample, RescaleParameters p, Span<float> hu)
    {
        double slope = (double)p.Slope;
        double intercept = (double)p.Intercept;
        bool hasPadding = p.MapPaddingToAir && p.PaddingValue.HasValue;
        for (int i = 0; i < hu.Length; i++)
        {
            uint raw = bytesPerSample == 1 ? frame[i] : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame[(i * 4)..]);
            int stored = StoredValue(raw, p);
            if (hasPadding && IsPadding(stored, p))
            {
                hu[i] = RescaleParameters.AirHu;
                continue;
            }

            if (p.RsnaCorrection)
            {
                stored += 1000;
                if (stored >= 4096)
                {
                    stored -= 4096;
                }
            }

            hu[i] = (float)((stored * slope) + intercept);
        }
    }

    private static bool IsPadding(int stored, RescaleParameters p)
    {
        int padding = p.PaddingValue!.Value;
        if (p.PaddingRangeLimit is { } limit)
        {
            return stored >= Math.Min(padding, limit) && stored <= Math.Max(padding, limit);
        }

        return stored == padding;
    }

    private static void ApplyAir(RescaleParameters p, Span<float> hu)
    {
        if (p.OutOfFieldBelowHu is not { } threshold)
        {
            return;
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vThreshold = new Vector<float>(threshold);
            var vAir = new Vector<float>(RescaleParameters.AirHu);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(hu);
            for (int v = 0; v < vectors.Length; v++)
            {
                vectors[v] = Vector.ConditionalSelect(Vector.LessThan(vectors[v], vThreshold), vAir, vectors[v]);
            }

            i = vectors.Length * Vector<float>.Count;
        }

        for (; i < hu.Length; i++)
        {
            if (hu[i] < threshold)
            {
                hu[i] = RescaleParameters.AirHu;
            }
        }
    }
}
