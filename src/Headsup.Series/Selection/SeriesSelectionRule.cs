namespace Headsup.Series.Selection;

/// <summary>
/// A named selection (like a monai-deploy series-selector "selection"): a series matches when it meets every
/// condition. Rules are tried in list order, so earlier rules are preferred. <see cref="Extends"/> names another rule
/// whose conditions come first; loaded rules have it resolved.
/// </summary>
public sealed record SeriesSelectionRule
{
    /// <summary>The rule name, reported with the selection (e.g. "axial-head-ct-standard").</summary>
    public required string Name { get; init; }

    /// <summary>The name of a rule whose conditions this one adds to (null when none, or once resolved).</summary>
    public string? Extends { get; init; }

    /// <summary>The conditions, all of which must hold.</summary>
    public IReadOnlyList<SeriesCondition> Conditions { get; init; } = [];
}
