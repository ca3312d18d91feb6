using Headsup.Dicom.Codecs.Jpeg2000;
using Headsup.Dicom.Codecs.JpegLossless;
using Headsup.Dicom.Codecs.JpegLs;
using Headsup.Dicom.Codecs.Rle;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs;

/// <summary>
/// Decoders keyed by transfer syntax UID. Registration is explicit: <see cref="CreateDefault"/> lists every codec this
/// assembly ships, and callers may add or replace entries with <see cref="Register"/>.
/// </summary>
public sealed class CodecRegistry : IFrameDecoderRegistry
{
    private readonly Dictionary<string, IFrameDecoder> _decoders = new(StringComparer.Ordinal);

    /// <summary>The registered transfer syntax UIDs.</summary>
    public IReadOnlyCollection<string> TransferSyntaxUids => _decoders.Keys;

    /// <summary>
    /// A registry with RLE Lossless (managed), JPEG baseline/extended/lossless (GDCM), JPEG-LS (CharLS) and
    /// JPEG 2000 (OpenJPEG). Native libraries are loaded on first decode, not here.
    /// </summary>
    public static CodecRegistry CreateDefault()
    {
        var registry = new CodecRegistry();
        registry.Register(TransferSyntax.RleLossless, new RleDecoder());
        foreach (var syntax in new[] { TransferSyntax.JpegBaseline, TransferSyntax.JpegExtended, TransferSyntax.JpegLossless, TransferSyntax.JpegLosslessSV1 })
        {
            registry.Register(syntax, new GdcmJpegDecoder(syntax));
        }

        var jpegLs = new CharLsDecoder();
        registry.Register(TransferSyntax.JpegLsLossless, jpegLs);
        registry.Register(TransferSyntax.JpegLsNearLossless, jpegLs);
        var jpeg2000 = new OpenJpegDecoder();
        registry.Register(TransferSyntax.Jpeg2000Lossless, jpeg2000);
        registry.Register(TransferSyntax.Jpeg2000, jpeg2000);
        return registry;
    }

    /// <summary>
    /// Tries to load every codec's library (GDCM's C# bindings and glue, CharLS, OpenJPEG) and says which are usable and
    /// why the others are not. Cheap after the first call; loads nothing that decoding would not load anyway.
    /// </summary>
    public static IReadOnlyList<CodecStatus> ProbeAvailability()
    {
        var statuses = new List<CodecStatus>
        {
            new("RLE Lossless (managed)", "RLE Lossless", string.Empty, true, "built in"),
        };
        bool gdcm = GdcmBridge.TryProbe(out var gdcmWhy);
        statuses.Add(new(GdcmBridge.CodecName, "JPEG Lossless (Process 14, SV1), JPEG Baseline, JPEG Extended", GdcmBridge.AptPackage, gdcm, gdcm ? "gdcm-sharp 3.0" : gdcmWhy));
        foreach (var (library, syntaxes) in new[] { (NativeLibraries.OpenJpeg, "JPEG 2000, JPEG 2000 Lossless"), (NativeLibraries.CharLs, "JPEG-LS Lossless, JPEG-LS Near-Lossless") })
        {
            bool ok = NativeLibraries.TryRequire(library, out var why);
            statuses.Add(new(NativeLibraries.CodecName(library), syntaxes, NativeLibraries.AptPackage(library), ok, ok ? NativeLibraries.LibraryFile(library) : why));
        }

        return statuses;
    }

    /// <summary>Registers (or replaces) the decoder for a syntax.</summary>
    public void Register(TransferSyntax syntax, IFrameDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(decoder);
        if (!decoder.CanDecode(syntax))
        {
            throw new ArgumentException($"{decoder.Name} does not decode {syntax}", nameof(decoder));
        }

        _decoders[syntax.Uid] = decoder;
    }

    /// <inheritdoc />
    public bool TryGet(TransferSyntax syntax, out IFrameDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        return _decoders.TryGetValue(syntax.Uid, out decoder!);
    }
}
