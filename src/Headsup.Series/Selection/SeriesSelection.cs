using Headsup.Series.Grouping;
using Headsup.Series.Sorting;

namespace Headsup.Series.Selection;

/// <summary>Why a series was not chosen: the rule, the condition (or "outranked"), and the values behind it.</summary>
/// <param name="Rule">The rule that was tried.</param>
/// <param name="Condition">The condition that failed, or <see cref="Outranked"/> when the series met the rule but another was preferred.</param>
/// <param name="Why">What was found.</param>
public sealed record SelectionReason(string Rule, string Condition, string Why)
{
    /// <summary>The condition name used when a series met a rule but another series was preferred.</summary>
    public const string Outranked = "outranked";

    /// <inheritdoc/>
    public override string ToString() => $"{Rule}/{Condition}: {Why}";
}

/// <summary>A series that was not chosen, with every reason.</summary>
/// <param name="Series">The sorted series (with its sorting problems).</param>
/// <param name="Reasons">The reasons, in rule order; failed conditions shared by several rules appear once.</param>
public sealed record RejectedSeries(SortedSeries Series, IReadOnlyList<SelectionReason> Reasons)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Series.Series}: {string.Join("; ", Reasons)}";
}

/// <summary>
/// The outcome of choosing a series in one study: the chosen series and the rule that chose it, or none, plus every
/// other series with its reasons. "No usable series" is a normal result (<see cref="HasSelection"/> false), not an
/// exception; call <see cref="RequireSelected"/> where a missing series is an error.
/// </summary>
public sealed class SeriesSelection
{
    /// <summary>Creates the result.</summary>
    public SeriesSelection(DicomStudy study, SortedSeries? selected, string? selectedByRule, string? explanation, IReadOnlyList<RejectedSeries> rejected)
    {
        Study = study;
        Selected = selected;
        SelectedByRule = selectedByRule;
        Explanation = explanation ?? string.Empty;
        Rejected = rejected;
    }

    /// <summary>The study.</summary>
    public DicomStudy Study { get; }

    /// <summary>The chosen series, sorted; null when no series is usable.</summary>
    public SortedSeries? Selected { get; }

    /// <summary>The name of the rule that chose <see cref="Selected"/>.</summary>
    public string? SelectedByRule { get; }

    /// <summary>Why the chosen series won (rule rank and tie-break), for logs and reports.</summary>
    public string Explanation { get; }

    /// <summary>Every series that was not chosen, with reasons.</summary>
    public IReadOnlyList<RejectedSeries> Rejected { get; }

    /// <summary>True when a series was chosen.</summary>
    public bool HasSelection => Selected is not null;

    /// <summary>The chosen series.</summary>
    /// <exception cref="NoUsableSeriesException">No series was usable; the exception lists the reasons.</exception>
    public SortedSeries RequireSelected() => Selected ?? throw new NoUsableSeriesException(Study.StudyInstanceUid, Rejected);

    /// <inheritdoc/>
    public override string ToString() =>
        Selected is null ? $"{Study}: no usable series" : $"{Study}: chose {Selected.Series} by rule {SelectedByRule}";
}
