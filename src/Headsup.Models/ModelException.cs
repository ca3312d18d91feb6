namespace Headsup.Models;

/// <summary>A model package, checkpoint or training run that cannot be used; names the file or folder.</summary>
public class ModelException : Exception
{
    public ModelException()
    {
    }

    public ModelException(string message)
        : base(message)
    {
    }

    public ModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an error about <paramref name="path"/>.</summary>
    public ModelException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder concerned, when there is one.</summary>
    public string? Path { get; }
}
