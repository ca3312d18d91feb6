using System.Buffers;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.JpegLossless;

/// <summary>
/// JPEG baseline (Process 1), extended (Process 2 &amp; 4, 12-bit) and lossless (Process 14, any predictor, and its
/// SV1 variant) through GDCM's C# bindings (Debian package libgdcm-cil), which wrap GDCM's IJG-derived 8/12/16-bit
/// decoders — the same code lineage as dcmtk's dcmdjpeg. See README.md for why not a managed decoder.
/// The stream's frame header is checked against <see cref="PixelDataInfo"/> before GDCM sees it.
/// </summary>
public sealed class GdcmJpegDecoder : IFrameDecoder
{
    private readonly TransferSyntax _syntax;

    /// <summary>Creates the decoder for one of the four JPEG transfer syntaxes.</summary>
    public GdcmJpegDecoder(TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        if (!IsJpeg(syntax))
        {
            throw new ArgumentException($"{syntax} is not a JPEG (ITU T.81) transfer syntax", nameof(syntax));
        }

        _syntax = syntax;
    }

    /// <inheritdoc />
    public string Name => _syntax.Name;

    /// <inheritdoc />
    public bool CanDecode(TransferSyntax syntax) => syntax?.Uid == _syntax.Uid;

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination)
    {
        if (destination.Length != info.FrameBytes)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the frame needs {info.FrameBytes}", nameof(destination));
        }

        var header = JpegFrameHeader.Read(encoded);
        Check(header, info);
        byte[] input = ArrayPool<byte>.Shared.Rent(encoded.Length);
        byte[] output = ArrayPool<byte>.Shared.Rent(destination.Length);
        try
        {
            encoded.CopyTo(input);
            GdcmBridge.Decode(_syntax, input, encoded.Length, info, output);
            output.AsSpan(0, destination.Length).CopyTo(destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <inheritdoc />
    public void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info)
    {
        if (JpegFrameHeader.TryReadStart(start, jpegLs: false, out var header))
        {
            Check(header, info);
        }
    }

    private static bool IsJpeg(TransferSyntax syntax) =>
        syntax.Uid == TransferSyntax.JpegBaseline.Uid || syntax.Uid == TransferSyntax.JpegExtended.Uid
        || syntax.Uid == TransferSyntax.JpegLossless.Uid || syntax.Uid == TransferSyntax.JpegLosslessSV1.Uid;

    private static void Check(JpegFrameHeader header, in PixelDataInfo info)
    {
        if (header.Rows != info.Rows || header.Columns != info.Columns || header.Components != info.SamplesPerPixel)
        {
            throw new InvalidDataException(
                $"JPEG frame is {header.Rows}×{header.Columns}×{header.Components} but the data set says {info.Rows}×{info.Columns}×{info.SamplesPerPixel}");
        }

        if (header.Precision < 2 || header.Precision > info.BitsAllocated || header.Precision > 16)
        {
            throw new InvalidDataException($"JPEG precision {header.Precision} bits does not fit Bits Allocated {info.BitsAllocated}");
        }
    }
}
