using System.Buffers;

namespace Headsup.Dicom.Pixels;

/// <summary>
/// Gives the decoded frames of a file's pixel data: native frames are sliced (bounds checked against the element),
/// encapsulated frames go through the registered decoder. Output is always little-endian, interleaved samples.
/// </summary>
public sealed class PixelFrameReader
{
    /// <summary>Decoded frames up to this size (16 MiB) are allocated whatever their compressed size.</summary>
    private const long MaxUncheckedFrameBytes = 16L * 1024 * 1024;

    /// <summary>Above <see cref="MaxUncheckedFrameBytes"/>, a frame may decode to at most this many times its encoded size.</summary>
    private const long MaxInflation = 1000;

    private readonly DicomFile _file;
    private readonly IFrameDecoderRegistry? _codecs;
    private readonly DicomElement? _native;
    private readonly DicomFragments? _encapsulated;
    private readonly FrameFragments[]? _frames;

    private PixelFrameReader(DicomFile file, IFrameDecoderRegistry? codecs, PixelDataInfo info, DicomElement? native, DicomFragments? encapsulated, FrameFragments[]? frames)
    {
        _file = file;
        _codecs = codecs;
        Info = info;
        _native = native;
        _encapsulated = encapsulated;
        _frames = frames;
    }

    /// <summary>The pixel description.</summary>
    public PixelDataInfo Info { get; }

    /// <summary>Number of frames.</summary>
    public int FrameCount => Info.NumberOfFrames;

    /// <summary>Bytes of one decoded frame.</summary>
    public int FrameBytes => (int)Info.FrameBytes;

    /// <summary>True when the pixel data is compressed.</summary>
    public bool IsEncapsulated => _encapsulated is not null;

    /// <summary>Creates a reader for a file's pixel data.</summary>
    /// <exception cref="DicomPixelDataException">No pixel data, or it does not match its description.</exception>
    /// <exception cref="DicomUnsupportedTransferSyntaxException">No decoder is registered for the syntax.</exception>
    public static PixelFrameReader Create(DicomFile file, IFrameDecoderRegistry? codecs)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dataset = file.Dataset;
        if (!dataset.TryGetItem(DicomTags.PixelData, out var item))
        {
            throw new DicomPixelDataException(file.SourceName, "the data set has no Pixel Data (7FE0,0010)");
        }

        var info = PixelDataInfo.FromDataset(dataset);
        switch (item)
        {
            case DicomElement native:
                long needed = info.FrameBytes * info.NumberOfFrames;
                if (native.Value.Length < needed)
                {
                    throw new DicomPixelDataException(file.SourceName, $"native pixel data has {native.Value.Length} bytes but {info.NumberOfFrames} frame(s) of {info.Rows}×{info.Columns}×{info.SamplesPerPixel} at {info.BitsAllocated} bits need {needed}");
                }

                return new PixelFrameReader(file, codecs, info, native, null, null);
            case DicomFragments fragments:
                if (!file.TransferSyntax.IsEncapsulated)
                {
                    throw new DicomPixelDataException(file.SourceName, $"encapsulated pixel data in a native transfer syntax {file.TransferSyntax}");
                }

                if (codecs is null || !codecs.TryGet(file.TransferSyntax, out var decoder))
                {
                    throw new DicomUnsupportedTransferSyntaxException(file.SourceName, file.TransferSyntax.Uid, "no decoder registered for " + file.TransferSyntax.Name);
                }

                if (info.NumberOfFrames > fragments.Fragments.Count)
                {
                    throw new DicomPixelDataException(file.SourceName, $"Number of Frames {info.NumberOfFrames} exceeds the {fragments.Fragments.Count} fragments present");
                }

                var frames = EncapsulatedFrameLocator.Locate(fragments, info.NumberOfFrames, file.SourceName);
                CheckFrameHeaders(file.SourceName, decoder, info, fragments, frames);
                return new PixelFrameReader(file, codecs, info, null, fragments, frames);
            default:
                throw new DicomPixelDataException(file.SourceName, "Pixel Data is a sequence, not pixel values");
        }
    }

    /// <summary>
    /// Decodes every frame once (into one pooled buffer) to prove the pixel data is readable; throws the typed error of
    /// the first frame that is not.
    /// </summary>
    /// <exception cref="DicomException">A frame cannot be decoded.</exception>
    public void VerifyFrames(CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FrameBytes);
        try
        {
            for (int frame = 0; frame < FrameCount; frame++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadFrame(frame, buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes a frame into <paramref name="destination"/> (at least <see cref="FrameBytes"/> long).</summary>
    public void ReadFrame(int index, Span<byte> destination)
    {
        if ((uint)index >= (uint)FrameCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"frame index must be below {FrameCount}");
        }

        if (destination.Length < FrameBytes)
        {
            throw new ArgumentException($"destination needs {FrameBytes} bytes", nameof(destination));
        }

        destination = destination[..FrameBytes];
        if (_native is not null)
        {
            _native.Value.Span.Slice(index * FrameBytes, FrameBytes).CopyTo(destination);
            return;
        }

        var range = _frames![index];
        var fragments = _encapsulated!.Fragments;
        _codecs!.TryGet(_file.TransferSyntax, out var decoder);
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> encoded;
            if (range.Count == 1)
            {
                encoded = fragments[range.First].Data.Span;
            }
            else
            {
                int total = 0;
                for (int i = range.First; i < range.First + range.Count; i++)
                {
                    total += fragments[i].Data.Length;
                }

                rented = ArrayPool<byte>.Shared.Rent(total);
                int at = 0;
                for (int i = range.First; i < range.First + range.Count; i++)
                {
                    fragments[i].Data.Span.CopyTo(rented.AsSpan(at));
                    at += fragments[i].Data.Length;
                }

                encoded = rented.AsSpan(0, total);
            }

            decoder.Decode(encoded, Info, destination);
        }
        catch (DicomCodecUnavailableException ex) when (ex.SourceName.Length == 0)
        {
            throw ex.ForSource(_file.SourceName);
        }
        catch (Exception ex) when (ex is not DicomException and not OutOfMemoryException)
        {
            throw new DicomCodecException(_file.SourceName, decoder.Name, index, ex.Message, ex);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Refuses, before anything is decoded or allocated, frames whose codestream header disagrees with the data set and
    /// large frames that would inflate implausibly from few bytes (a lying Rows/Columns with a matching lie in the stream).
    /// </summary>
    private static void CheckFrameHeaders(string source, IFrameDecoder decoder, in PixelDataInfo info, DicomFragments pixelData, FrameFragments[] frames)
    {
        var fragments = pixelData.Fragments;
        for (int frame = 0; frame < frames.Length; frame++)
        {
            var range = frames[frame];
            long encodedLength = 0;
            for (int i = range.First; i < range.First + range.Count; i++)
            {
                encodedLength += fragments[i].Data.Length;
            }

            if (info.FrameBytes > MaxUncheckedFrameBytes && info.FrameBytes > MaxInflation * encodedLength)
            {
                throw new DicomPixelDataException(source, $"frame {frame} would decode {encodedLength} bytes of {decoder.Name} into {info.FrameBytes} bytes ({info.Rows}×{info.Columns}×{info.SamplesPerPixel} at {info.BitsAllocated} bits), more than {MaxInflation} times its size: the header is not believed");
            }

            try
            {
                decoder.CheckHeader(fragments[range.First].Data.Span, encodedLength, info);
            }
            catch (InvalidDataException ex)
            {
                throw new DicomCodecException(source, decoder.Name, frame, ex.Message, ex);
            }
        }
    }

    /// <summary>A native frame's bytes without copying; false for encapsulated data.</summary>
    public bool TryGetNativeFrame(int index, out ReadOnlyMemory<byte> frame)
    {
        if (_native is null || (uint)index >= (uint)FrameCount)
        {
            frame = default;
            return false;
        }

        frame = _native.Value.Slice(index * FrameBytes, FrameBytes);
        return true;
    }
}
