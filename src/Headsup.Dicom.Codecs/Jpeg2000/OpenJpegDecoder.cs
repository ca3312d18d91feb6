using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.Jpeg2000;

/// <summary>
/// JPEG 2000 (1.2.840.10008.1.2.4.90/.91) through OpenJPEG 2 (Debian package libopenjp2-7), reading a J2K codestream
/// or a JP2 file from memory. As pydicom and GDCM do, the codestream's own precision and signedness drive decoding
/// (they may disagree with Bits Stored, pydicom issue 693); samples are then written at Bits Allocated: signed
/// components as two's complement, unsigned components of a signed image sign-extended from the codestream precision.
/// Decoded sizes are checked against <see cref="PixelDataInfo"/> before anything is written.
/// </summary>
public sealed class OpenJpegDecoder : IFrameDecoder
{
    private const int ErrorBufferBytes = 512;

    /// <summary>Most tiles accepted in a codestream's tile grid (DICOM images use one or a few).</summary>
    private const long MaxTiles = 4096;

    /// <summary>The JP2 contiguous codestream box type, "jp2c".</summary>
    private const uint Jp2CodestreamBox = 0x6A703263;

    private static readonly byte[] s_jp2Signature = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];

    /// <inheritdoc />
    public string Name => "JPEG 2000";

    /// <inheritdoc />
    public bool CanDecode(TransferSyntax syntax) =>
        syntax?.Uid == TransferSyntax.Jpeg2000Lossless.Uid || syntax?.Uid == TransferSyntax.Jpeg2000.Uid;

    /// <inheritdoc />
    public unsafe void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination)
    {
        if (destination.Length != info.FrameBytes)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the frame needs {info.FrameBytes}", nameof(destination));
        }

        int format = encoded.StartsWith(s_jp2Signature) ? OpenJpegNative.CodecJp2
            : encoded.Length >= 2 && encoded[0] == 0xFF && encoded[1] == 0x4F ? OpenJpegNative.CodecJ2k
            : throw new InvalidDataException("JPEG 2000 data starts with neither a codestream SOC marker (FF 4F) nor a JP2 signature box");

        NativeLibraries.Require(NativeLibraries.OpenJpeg);
        byte* errorText = stackalloc byte[ErrorBufferBytes];
        var errors = new ErrorSink { Buffer = errorText, Capacity = ErrorBufferBytes };
        IntPtr codec = IntPtr.Zero;
        IntPtr stream = IntPtr.Zero;
        OpenJpegNative.Image* image = null;
        byte* parameterBlock = stackalloc byte[OpenJpegNative.DecoderParametersBytes];
        try
        {
            fixed (byte* source = encoded)
            {
                var memory = new MemorySource { Data = source, Length = encoded.Length };
                codec = OpenJpegNative.CreateDecompress(format);
                if (codec == IntPtr.Zero)
                {
                    throw new InvalidOperationException("opj_create_decompress returned null");
                }

                _ = OpenJpegNative.SetErrorHandler(codec, &OnError, &errors);
                OpenJpegNative.SetDefaultDecoderParameters(parameterBlock);
                Require(OpenJpegNative.SetupDecoder(codec, parameterBlock), "opj_setup_decoder", in errors);

                stream = OpenJpegNative.StreamCreate(64 * 1024, 1);
                if (stream == IntPtr.Zero)
                {
                    throw new InvalidOperationException("opj_stream_create returned null");
                }

                OpenJpegNative.StreamSetReadFunction(stream, &Read);
                OpenJpegNative.StreamSetSkipFunction(stream, &Skip);
                OpenJpegNative.StreamSetSeekFunction(stream, &Seek);
                OpenJpegNative.StreamSetUserData(stream, &memory, IntPtr.Zero);
                OpenJpegNative.StreamSetUserDataLength(stream, (ulong)encoded.Length);

                Require(OpenJpegNative.ReadHeader(stream, codec, out image), "reading the header", in errors);
                CheckGeometry(image, info, decoded: false);
                Require(OpenJpegNative.Decode(codec, stream, image), "decoding", in errors);
                Require(OpenJpegNative.EndDecompress(codec, stream), "finishing", in errors);
                CheckGeometry(image, info, decoded: true);
                Write(image, info, destination);
            }
        }
        finally
        {
            if (image is not null)
            {
                OpenJpegNative.ImageDestroy(image);
            }

            if (stream != IntPtr.Zero)
            {
                OpenJpegNative.StreamDestroy(stream);
            }

            if (codec != IntPtr.Zero)
            {
                OpenJpegNative.DestroyCodec(codec);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the SIZ segment of the codestream (inside the jp2c box for JP2): image and component sizes, subsampling,
    /// precision, and the tile grid, which is limited to <see cref="MaxTiles"/> tiles because OpenJPEG allocates
    /// per-tile state for the whole grid before decoding.
    /// </remarks>
    public void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info)
    {
        var codestream = start;
        if (start.StartsWith(s_jp2Signature))
        {
            if (!TryFindCodestream(start, out codestream))
            {
                return;
            }
        }

        if (codestream.Length < 4 || codestream[0] != 0xFF || codestream[1] != 0x4F)
        {
            throw new InvalidDataException("JPEG 2000 data starts with neither a codestream SOC marker (FF 4F) nor a JP2 signature box");
        }

        if (codestream[2] != 0xFF || codestream[3] != 0x51)
        {
            throw new InvalidDataException("JPEG 2000 codestream has no SIZ segment (FF 51) after its SOC marker");
        }

        const int SizFixed = 2 + 2 + 2 + (8 * 4) + 2; // marker, Lsiz, Rsiz, 8 sizes, Csiz
        if (codestream.Length < 4 + SizFixed - 2)
        {
            return;
        }

        var siz = codestream[4..];
        int lsiz = BinaryPrimitives.ReadUInt16BigEndian(siz);
        uint xsiz = BinaryPrimitives.ReadUInt32BigEndian(siz[4..]);
        uint ysiz = BinaryPrimitives.ReadUInt32BigEndian(siz[8..]);
        uint xosiz = BinaryPrimitives.ReadUInt32BigEndian(siz[12..]);
        uint yosiz = BinaryPrimitives.ReadUInt32BigEndian(siz[16..]);
        uint xtsiz = BinaryPrimitives.ReadUInt32BigEndian(siz[20..]);
        uint ytsiz = BinaryPrimitives.ReadUInt32BigEndian(siz[24..]);
        uint xtosiz = BinaryPrimitives.ReadUInt32BigEndian(siz[28..]);
        uint ytosiz = BinaryPrimitives.ReadUInt32BigEndian(siz[32..]);
        int components = BinaryPrimitives.ReadUInt16BigEndian(siz[36..]);
        long width = (long)xsiz - xosiz;
        long height = (long)ysiz - yosiz;
        if (width != info.Columns || height != info.Rows || components != info.SamplesPerPixel)
        {
            throw new InvalidDataException(
                $"JPEG 2000 image is {height}×{width}×{components} but the data set says {info.Rows}×{info.Columns}×{info.SamplesPerPixel}");
        }

        if (lsiz != 38 + (3 * components))
        {
            throw new InvalidDataException($"JPEG 2000 SIZ segment length {lsiz} does not fit {components} components");
        }

        if (xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz)
        {
            throw new InvalidDataException($"JPEG 2000 tile grid {xtsiz}×{ytsiz} at {xtosiz},{ytosiz} is invalid");
        }

        long tiles = (((long)xsiz - xtosiz + xtsiz - 1) / xtsiz) * (((long)ysiz - ytosiz + ytsiz - 1) / ytsiz);
        if (tiles > MaxTiles)
        {
            throw new InvalidDataException($"JPEG 2000 tile grid of {tiles} tiles ({xtsiz}×{ytsiz} each) is more than the {MaxTiles} accepted");
        }

        for (int c = 0; c < components && 40 + (3 * c) + 2 < siz.Length; c++)
        {
            int ssiz = siz[38 + (3 * c)];
            int precision = (ssiz & 0x7F) + 1;
            int dx = siz[39 + (3 * c)];
            int dy = siz[40 + (3 * c)];
            if (dx != 1 || dy != 1)
            {
                throw new InvalidDataException($"JPEG 2000 component {c} has subsampling {dx}×{dy}; expected none");
            }

            if (precision > info.BitsAllocated || precision > 31)
            {
                throw new InvalidDataException($"JPEG 2000 component {c} precision {precision} bits does not fit Bits Allocated {info.BitsAllocated}");
            }
        }
    }

    /// <summary>Finds the contiguous codestream box (jp2c) among a JP2 file's top-level boxes; false when not within <paramref name="jp2"/>.</summary>
    private static bool TryFindCodestream(ReadOnlySpan<byte> jp2, out ReadOnlySpan<byte> codestream)
    {
        codestream = default;
        int at = 0;
        while (at + 8 <= jp2.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt32BigEndian(jp2[at..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(jp2[(at + 4)..]);
            int header = 8;
            if (length == 1)
            {
                if (at + 16 > jp2.Length)
                {
                    return false;
                }

                length = BinaryPrimitives.ReadUInt64BigEndian(jp2[(at + 8)..]);
                header = 16;
            }

            if (type == Jp2CodestreamBox)
            {
                codestream = jp2[(at + header)..];
                return true;
            }

            if (length == 0)
            {
                return false; // the last box, and it is not the codestream
            }

            if (length < (ulong)header)
            {
                throw new InvalidDataException($"JP2 box at byte {at} has length {length}");
            }

            if (length > (ulong)(jp2.Length - at))
            {
                return false;
            }

            at += (int)length;
        }

        return false;
    }

    private static unsafe void CheckGeometry(OpenJpegNative.Image* image, in PixelDataInfo info, bool decoded)
    {
        if (image is null)
        {
            throw new InvalidDataException("OpenJPEG returned no image");
        }

        long width = (long)image->X1 - image->X0;
        long height = (long)image->Y1 - image->Y0;
        if (width != info.Columns || height != info.Rows || image->ComponentCount != info.SamplesPerPixel || image->Components is null)
        {
            throw new InvalidDataException(
                $"JPEG 2000 image is {height}×{width}×{image->ComponentCount} but the data set says {info.Rows}×{info.Columns}×{info.SamplesPerPixel}");
        }

        for (int c = 0; c < image->ComponentCount; c++)
        {
            var component = image->Components[c];
            if (component.Dx != 1 || component.Dy != 1 || component.W != info.Columns || component.H != info.Rows)
            {
                throw new InvalidDataException(
                    $"JPEG 2000 component {c} is {component.H}×{component.W} with subsampling {component.Dx}×{component.Dy}; expected {info.Rows}×{info.Columns}, no subsampling");
            }

            if (component.Precision < 1 || component.Precision > info.BitsAllocated || component.Precision > 31)
            {
                throw new InvalidDataException($"JPEG 2000 component {c} precision {component.Precision} bits does not fit Bits Allocated {info.BitsAllocated}");
            }

            if (decoded && component.Data is null)
            {
                throw new InvalidDataException($"JPEG 2000 component {c} has no decoded data");
            }
        }
    }

    private static unsafe void Write(OpenJpegNative.Image* image, in PixelDataInfo info, Span<byte> destination)
    {
        int pixels = info.Rows * info.Columns;
        bool signExtend = false;
        int precision = 0;
        for (int c = 0; c < info.SamplesPerPixel; c++)
        {
            var component = image->Components[c];
            SampleLayout.WriteComponent(new ReadOnlySpan<int>(component.Data, pixels), destination, c, info.SamplesPerPixel, info.BytesPerSample);
            if (info.IsSigned && component.Signed == 0)
            {
                signExtend = true;
                precision = (int)component.Precision;
            }
        }

        if (signExtend)
        {
            SampleLayout.SignExtend(destination, info.BytesPerSample, precision);
        }
    }

    private static void Require(int ok, string step, in ErrorSink errors)
    {
        if (ok == 0)
        {
            throw new InvalidDataException($"OpenJPEG failed {step}: {errors.Message()}");
        }
    }

    [UnmanagedCallersOnly]
    private static unsafe nuint Read(void* buffer, nuint count, void* userData)
    {
        ref var source = ref Unsafe.AsRef<MemorySource>(userData);
        long remaining = source.Length - source.Position;
        if (remaining <= 0)
        {
            return nuint.MaxValue; // (OPJ_SIZE_T)-1: end of stream
        }

        long n = Math.Min(remaining, (long)count);
        Buffer.MemoryCopy(source.Data + source.Position, buffer, (long)count, n);
        source.Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly]
    private static unsafe long Skip(long count, void* userData)
    {
        ref var source = ref Unsafe.AsRef<MemorySource>(userData);
        long target = Math.Clamp(source.Position + count, 0, source.Length);
        long skipped = target - source.Position;
        source.Position = target;
        return skipped;
    }

    [UnmanagedCallersOnly]
    private static unsafe int Seek(long position, void* userData)
    {
        ref var source = ref Unsafe.AsRef<MemorySource>(userData);
        if (position < 0 || position > source.Length)
        {
            return 0;
        }

        source.Position = position;
        return 1;
    }

    [UnmanagedCallersOnly]
    private static unsafe void OnError(byte* message, void* clientData)
    {
        ref var sink = ref Unsafe.AsRef<ErrorSink>(clientData);
        if (message is null || sink.Length > 0)
        {
            return; // keep the first error: later ones are usually consequences
        }

        var text = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(message);
        int n = Math.Min(text.Length, sink.Capacity);
        text[..n].CopyTo(new Span<byte>(sink.Buffer, sink.Capacity));
        sink.Length = n;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MemorySource
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct ErrorSink
    {
        public byte* Buffer;
        public int Capacity;
        public int Length;

        public readonly string Message() =>
            Length == 0 ? "no message from OpenJPEG" : System.Text.Encoding.UTF8.GetString(Buffer, Length).TrimEnd();
    }
}
