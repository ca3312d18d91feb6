using System.Buffers;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.JpegLs;

/// <summary>
/// JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) through CharLS 2 (Debian package libcharls2).
/// Header sizes are checked against <see cref="PixelDataInfo"/>; planar (interleave mode none) colour is re-interleaved;
/// signed samples narrower than Bits Allocated are sign-extended.
/// </summary>
public sealed class CharLsDecoder : IFrameDecoder
{
    /// <inheritdoc />
    public string Name => "JPEG-LS";

    /// <inheritdoc />
    public bool CanDecode(TransferSyntax syntax) =>
        syntax?.Uid == TransferSyntax.JpegLsLossless.Uid || syntax?.Uid == TransferSyntax.JpegLsNearLossless.Uid;

    /// <summary>Reads a stream's header without decoding its scans.</summary>
    /// <exception cref="InvalidDataException">The header is not valid JPEG-LS.</exception>
    public static unsafe JpegLsStreamInfo ReadHeader(ReadOnlySpan<byte> encoded)
    {
        NativeLibraries.Require(NativeLibraries.CharLs);
        IntPtr decoder = CharLsNative.DecoderCreate();
        if (decoder == IntPtr.Zero)
        {
            throw new InvalidOperationException("charls_jpegls_decoder_create returned null");
        }

        try
        {
            fixed (byte* source = encoded)
            {
                return ReadHeader(decoder, source, encoded.Length, out _);
            }
        }
        finally
        {
            CharLsNative.DecoderDestroy(decoder);
        }
    }

    /// <inheritdoc />
    public unsafe void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination)
    {
        if (destination.Length != info.FrameBytes)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the frame needs {info.FrameBytes}", nameof(destination));
        }

        NativeLibraries.Require(NativeLibraries.CharLs);
        IntPtr decoder = CharLsNative.DecoderCreate();
        if (decoder == IntPtr.Zero)
        {
            throw new InvalidOperationException("charls_jpegls_decoder_create returned null");
        }

        byte[]? rented = null;
        try
        {
            fixed (byte* source = encoded)
            {
                var header = ReadHeader(decoder, source, encoded.Length, out var interleave);
                Check(header, info);
                CharLsNative.Check(CharLsNative.GetDestinationSize(decoder, 0, out nuint size), "get_destination_size");
                int bytesPerSample = header.BitsPerSample > 8 ? 2 : 1;
                long expected = (long)info.Rows * info.Columns * info.SamplesPerPixel * bytesPerSample;
                if ((long)size != expected)
                {
                    throw new InvalidDataException($"CharLS needs {size} bytes for a frame of {expected}");
                }

                bool direct = bytesPerSample == info.BytesPerSample && (info.SamplesPerPixel == 1 || interleave != CharLsNative.InterleaveMode.None);
                if (direct)
                {
                    fixed (byte* target = destination)
                    {
                        CharLsNative.Check(CharLsNative.DecodeToBuffer(decoder, target, size, 0), "decode");
                    }
                }
                else
                {
                    rented = ArrayPool<byte>.Shared.Rent((int)size);
                    fixed (byte* target = rented)
                    {
                        CharLsNative.Check(CharLsNative.DecodeToBuffer(decoder, target, size, 0), "decode");
                    }

                    bool planar = info.SamplesPerPixel > 1 && interleave == CharLsNative.InterleaveMode.None;
                    SampleLayout.Widen(rented.AsSpan(0, (int)size), bytesPerSample, planar, info.SamplesPerPixel, destination, info.BytesPerSample);
                }

                if (info.IsSigned)
                {
                    SampleLayout.SignExtend(destination, info.BytesPerSample, header.BitsPerSample);
                }
            }
        }
        finally
        {
            CharLsNative.DecoderDestroy(decoder);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc />
    public void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info)
    {
        if (JpegLossless.JpegFrameHeader.TryReadStart(start, jpegLs: true, out var frame))
        {
            // A height of 0 in SOF55 means "given later by an LSE segment" (T.87 C.2.2): only the rest can be checked now.
            Check(new JpegLsStreamInfo(frame.Rows == 0 ? info.Rows : frame.Rows, frame.Columns, frame.Precision, frame.Components, 0), info);
        }
    }

    private static unsafe JpegLsStreamInfo ReadHeader(IntPtr decoder, byte* source, int length, out CharLsNative.InterleaveMode interleave)
    {
        CharLsNative.Check(CharLsNative.SetSourceBuffer(decoder, source, (nuint)length), "set_source_buffer");
        CharLsNative.Check(CharLsNative.ReadHeader(decoder), "read_header");
        CharLsNative.Check(CharLsNative.GetFrameInfo(decoder, out var frame), "get_frame_info");
        CharLsNative.Check(CharLsNative.GetNearLossless(decoder, 0, out int near), "get_near_lossless");
        CharLsNative.Check(CharLsNative.GetInterleaveMode(decoder, out interleave), "get_interleave_mode");
        return new JpegLsStreamInfo((int)frame.Height, (int)frame.Width, frame.BitsPerSample, frame.ComponentCount, near);
    }

    private static void Check(JpegLsStreamInfo header, in PixelDataInfo info)
    {
        if (header.Rows != info.Rows || header.Columns != info.Columns || header.Components != info.SamplesPerPixel)
        {
            throw new InvalidDataException(
                $"JPEG-LS frame is {header.Rows}×{header.Columns}×{header.Components} but the data set says {info.Rows}×{info.Columns}×{info.SamplesPerPixel}");
        }

        if (header.BitsPerSample < 2 || header.BitsPerSample > 16 || header.BitsPerSample > info.BitsAllocated)
        {
            throw new InvalidDataException($"JPEG-LS precision {header.BitsPerSample} bits does not fit Bits Allocated {info.BitsAllocated}");
        }
    }
}
