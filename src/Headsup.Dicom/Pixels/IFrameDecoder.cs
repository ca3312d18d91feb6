namespace Headsup.Dicom.Pixels;

/// <summary>
/// Decodes one compressed frame of one transfer syntax. Implementations live in Headsup.Dicom.Codecs and are
/// registered explicitly in a <see cref="IFrameDecoderRegistry"/>.
/// </summary>
public interface IFrameDecoder
{
    /// <summary>Short name for messages, e.g. "RLE Lossless".</summary>
    string Name { get; }

    /// <summary>True when this decoder reads the given transfer syntax.</summary>
    bool CanDecode(TransferSyntax syntax);

    /// <summary>
    /// Decodes <paramref name="encoded"/> (the frame's fragments, concatenated) into <paramref name="destination"/>, which
    /// has exactly <see cref="PixelDataInfo.FrameBytes"/> bytes: little-endian samples, colour-by-pixel (interleaved).
    /// Throws <see cref="InvalidDataException"/> (or another exception) when the stream is corrupt or does not match
    /// <paramref name="info"/>; the caller wraps it with file and frame.
    /// </summary>
    void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination);

    /// <summary>
    /// Checks, without decoding and without native code, that a frame's codestream agrees with <paramref name="info"/>
    /// (image size, components, precision) as far as <paramref name="start"/> (the frame's first fragment) shows, and
    /// that <paramref name="encodedLength"/> (all of the frame's fragments) is plausible. Lets a caller refuse a lying
    /// header before it allocates the decoded frame. Throws <see cref="InvalidDataException"/> when it does not agree;
    /// a header that continues past <paramref name="start"/> is left to <see cref="Decode"/>.
    /// </summary>
    void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info);
}

/// <summary>Chooses a decoder for a transfer syntax.</summary>
public interface IFrameDecoderRegistry
{
    /// <summary>Finds a decoder for the syntax.</summary>
    bool TryGet(TransferSyntax syntax, out IFrameDecoder decoder);
}
