namespace Headsup.Inputs;

/// <summary>A slice image could not be read or turned into a model input; <see cref="FilePath"/> names the file when there is one.</summary>
public class InputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InputException()
        : this("input error")
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputException(string message)
        : this(null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputException(string message, Exception? innerException)
        : this(null, message, innerException)
    {
    }

    /// <summary>Creates the exception about <paramref name="filePath"/>; the message starts with the path.</summary>
    public InputException(string? filePath, string message, Exception? innerException = null)
        : base(filePath is null ? message : $"{filePath}: {message}", innerException)
    {
        FilePath = filePath;
        Problem = message;
    }

    /// <summary>The file concerned, or null.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name (for reports that list the file separately).</summary>
    public string Problem { get; }
}

/// <summary>An image file could not be decoded (missing, corrupt, not an image, too large, unsupported).</summary>
public sealed class SliceImageException : InputException
{
    /// <summary>Creates the exception.</summary>
    public SliceImageException(string filePath, string message, Exception? innerException = null)
        : base(filePath, message, innerException)
    {
    }
}

/// <summary>An input recipe cannot be built from the image given (e.g. a HU recipe from a display PNG).</summary>
public sealed class InputRecipeException : InputException
{
    /// <summary>Creates the exception.</summary>
    public InputRecipeException(string? filePath, string message)
        : base(filePath, message)
    {
    }
}
