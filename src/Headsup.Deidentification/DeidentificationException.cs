using Headsup.Dicom;

namespace Headsup.Deidentification;

/// <summary>A file could not be de-identified: it cannot be read, lacks what the output needs, or cannot be written.</summary>
public class DeidentificationException : DicomException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceName">The input file (or archive entry).</param>
    /// <param name="reason">Why, without the file name. Never holds an identifying value from the file.</param>
    /// <param name="inner">The error that caused it.</param>
    public DeidentificationException(string sourceName, string reason, Exception? inner = null)
        : base($"{sourceName}: {reason}", inner)
    {
        SourceName = sourceName;
        Reason = reason;
    }

    /// <summary>The input file (or archive entry).</summary>
    public string SourceName { get; }

    /// <summary>Why, without the file name.</summary>
    public string Reason { get; }
}

/// <summary>
/// The file says its pixel data shows burned-in annotation (Burned In Annotation (0028,0301) is YES), which may be
/// identifying text that this profile does not remove (no Clean Pixel Data Option): the file is skipped, not written.
/// </summary>
public sealed class BurnedInAnnotationException : DeidentificationException
{
    /// <summary>The reason given for every such file.</summary>
    public const string SkipReason = "Burned In Annotation is YES: the pixel data may show identifying text, which is not removed; file not written";

    /// <summary>Creates the exception.</summary>
    public BurnedInAnnotationException(string sourceName)
        : base(sourceName, SkipReason)
    {
    }
}
