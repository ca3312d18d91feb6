using Headsup.Dicom;

namespace Headsup.Series;

/// <summary>Root of every error raised while assembling studies and series (inputs, archives, selection rules).</summary>
public abstract class SeriesException : DicomException
{
    /// <summary>Creates the exception.</summary>
    protected SeriesException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The input to scan does not exist or cannot be listed.</summary>
public sealed class ScanInputException : SeriesException
{
    /// <summary>Creates the exception.</summary>
    public ScanInputException(string input, string problem, Exception? inner = null)
        : base($"{input}: {problem}", inner)
    {
        Input = input;
    }

    /// <summary>The path that was given.</summary>
    public string Input { get; }
}
