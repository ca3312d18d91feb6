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

/// <summary>A folder or archive holds no DICOM instance that could be grouped into a study: there is nothing to work on.</summary>
public sealed class NoDicomFoundException : SeriesException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="input">The folder or archive that was scanned.</param>
    /// <param name="sourcesScanned">How many files (and archive entries) were looked at.</param>
    /// <param name="failures">How many of them could not be read (each reported separately).</param>
    public NoDicomFoundException(string input, int sourcesScanned, int failures)
        : base($"{input}: no DICOM study found ({sourcesScanned} file(s) scanned{(failures > 0 ? $", {failures} could not be used: see the failures reported" : string.Empty)})")
    {
        Input = input;
    }

    /// <summary>The path that was scanned.</summary>
    public string Input { get; }
}
