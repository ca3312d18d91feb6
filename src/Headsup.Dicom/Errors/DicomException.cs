namespace Headsup.Dicom;

/// <summary>Root of every error raised while reading, decoding or writing DICOM.</summary>
public abstract class DicomException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected DicomException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The bytes are not a well-formed DICOM stream. Carries the source, byte offset and tag where known.</summary>
public sealed class DicomParseException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomParseException(string source, long offset, DicomTag? tag, string problem, Exception? inner = null)
        : base(Format(source, offset, tag, problem), inner)
    {
        Source = source;
        Offset = offset;
        Tag = tag;
        Problem = problem;
    }

    /// <summary>File name or other source of the bytes.</summary>
    public new string Source { get; }

    /// <summary>Byte offset in the source where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>Tag of the element being read, when known.</summary>
    public DicomTag? Tag { get; }

    /// <summary>The problem, without location.</summary>
    public string Problem { get; }

    private static string Format(string source, long offset, DicomTag? tag, string problem) =>
        tag is { } t
            ? $"{source}: at byte {offset}, element {t} {DicomDictionary.Keyword(t)}: {problem}"
            : $"{source}: at byte {offset}: {problem}";
}

/// <summary>The data set uses a transfer syntax this build cannot read or decode.</summary>
public sealed class DicomUnsupportedTransferSyntaxException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomUnsupportedTransferSyntaxException(string source, string uid, string what)
        : base($"{source}: transfer syntax {uid} is not supported ({what})")
    {
        TransferSyntaxUid = uid;
    }

    /// <summary>The UID that was found.</summary>
    public string TransferSyntaxUid { get; }
}

/// <summary>Pixel data is missing, inconsistent with its description, or too large.</summary>
public sealed class DicomPixelDataException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomPixelDataException(string source, string problem, Exception? inner = null)
        : base($"{source}: pixel data: {problem}", inner)
    {
    }
}

/// <summary>A codec failed to decode a frame.</summary>
public sealed class DicomCodecException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomCodecException(string source, string codec, int frame, string problem, Exception? inner = null)
        : base($"{source}: {codec} could not decode frame {frame}: {problem}", inner)
    {
        Codec = codec;
        Frame = frame;
    }

    /// <summary>The codec name.</summary>
    public string Codec { get; }

    /// <summary>The zero-based frame index.</summary>
    public int Frame { get; }
}

/// <summary>A required attribute is absent or its value cannot be read as the type asked for.</summary>
public sealed class DicomAttributeException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomAttributeException(string source, DicomTag tag, string problem)
        : base($"{source}: {tag} {DicomDictionary.Keyword(tag)}: {problem}")
    {
        Tag = tag;
    }

    /// <summary>The attribute.</summary>
    public DicomTag Tag { get; }
}

/// <summary>
/// The codec a file needs is not installed (a missing native library, or a build without it). Names the codec and the
/// Debian package that provides it. Decoders throw it without a source; <see cref="Pixels.PixelFrameReader"/> adds the file.
/// </summary>
public sealed class DicomCodecUnavailableException : DicomException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceName">The file, or an empty string when not known yet.</param>
    /// <param name="codec">The codec, e.g. "JPEG Lossless (GDCM)".</param>
    /// <param name="package">The Debian package to install, e.g. "libgdcm-cil".</param>
    /// <param name="why">Why it is unavailable.</param>
    /// <param name="inner">The loader's exception, when there was one.</param>
    public DicomCodecUnavailableException(string sourceName, string codec, string package, string why, Exception? inner = null)
        : base($"{(sourceName.Length > 0 ? sourceName + ": " : string.Empty)}codec {codec} is not available ({why}): install it with `apt-get install {package}`", inner)
    {
        SourceName = sourceName;
        Codec = codec;
        Package = package;
        Why = why;
    }

    /// <summary>The file that needed the codec; empty when thrown by a decoder.</summary>
    public string SourceName { get; }

    /// <summary>The codec.</summary>
    public string Codec { get; }

    /// <summary>The Debian package that provides it.</summary>
    public string Package { get; }

    /// <summary>Why it is unavailable.</summary>
    public string Why { get; }

    /// <summary>The same error, naming the file that needed the codec.</summary>
    public DicomCodecUnavailableException ForSource(string sourceName) => new(sourceName, Codec, Package, Why, InnerException);
}
