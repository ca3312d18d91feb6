namespace Headsup.Evaluation.Reports;

/// <summary>The evaluation report could not be written; no partial file is left in the output folder.</summary>
public sealed class EvaluationOutputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EvaluationOutputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public EvaluationOutputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public EvaluationOutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
