namespace Headsup.Series.Selection;

/// <summary>Root of errors about series selection: invalid rules, or a study that must yield a series but has none.</summary>
public abstract class SeriesSelectionException : SeriesException
{
    /// <summary>Creates the exception.</summary>
    protected SeriesSelectionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>A selection rule file is malformed or names an unknown attribute, kind or rule.</summary>
public sealed class SeriesSelectionRuleException : SeriesSelectionException
{
    /// <summary>Creates the exception.</summary>
    public SeriesSelectionRuleException(string source, string problem, Exception? inner = null)
        : base($"{source}: series selection rules: {problem}", inner)
    {
        RuleSource = source;
    }

    /// <summary>Where the rules came from (a path, or a description).</summary>
    public string RuleSource { get; }
}

/// <summary>A study has no series that meets any rule (raised only by <see cref="SeriesSelection.RequireSelected"/>).</summary>
public sealed class NoUsableSeriesException : SeriesSelectionException
{
    /// <summary>Creates the exception.</summary>
    public NoUsableSeriesException(string studyInstanceUid, IReadOnlyList<RejectedSeries> rejected)
        : base($"study {studyInstanceUid}: no usable series" + (rejected.Count == 0 ? " (the study has no series)" : ": " + string.Join("; ", rejected.Select(r => r.ToString()))))
    {
        StudyInstanceUid = studyInstanceUid;
        Rejected = rejected;
    }

    /// <summary>The study.</summary>
    public string StudyInstanceUid { get; }

    /// <summary>Every series with the reasons it was rejected.</summary>
    public IReadOnlyList<RejectedSeries> Rejected { get; }
}
