namespace Headsup.Inputs.Preprocessing;

/// <summary>The output folder cannot be created, so nothing can be written (the run does not start).</summary>
public sealed class PreprocessOutputException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PreprocessOutputException(string outputFolder, Exception innerException)
        : base($"cannot create output folder '{outputFolder}': {innerException?.Message}", innerException)
    {
        OutputFolder = outputFolder;
    }

    /// <summary>The folder that could not be created.</summary>
    public string OutputFolder { get; }
}
