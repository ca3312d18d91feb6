using System.Globalization;
using Headsup.Series.Grouping;
using Headsup.Series.Sorting;

namespace Headsup.Series.Selection;

/// <summary>
/// Chooses the series of a study to analyse. Every series is sorted (<see cref="SliceSorter"/>) and tested against
/// the rules in order; the first rule any series meets chooses, and among the series meeting it the one with the most
/// slices wins, then the lowest Series Number, then the ordinal-first Series Instance UID.
/// </summary>
public sealed class SeriesSelector
{
    private readonly IReadOnlyList<SeriesSelectionRule> _rules;
    private readonly SliceSortOptions _sortOptions;

    /// <summary>Creates a selector with the given rules (default: <see cref="SeriesSelectionRules.Default"/>).</summary>
    public SeriesSelector(IReadOnlyList<SeriesSelectionRule>? rules = null, SliceSortOptions? sortOptions = null)
    {
        _rules = rules ?? SeriesSelectionRules.Default;
        if (_rules.Count == 0)
        {
            throw new ArgumentException("at least one rule is needed", nameof(rules));
        }

        _sortOptions = sortOptions ?? SliceSortOptions.Default;
    }

    /// <summary>The rules, most preferred first.</summary>
    public IReadOnlyList<SeriesSelectionRule> Rules => _rules;

    /// <summary>Chooses a series of the study (never throws for an unusable study).</summary>
    public SeriesSelection Select(DicomStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var candidates = study.Series.Select(s => Evaluate(SliceSorter.Sort(s, _sortOptions))).ToList();

        var best = candidates
            .Where(c => c.FirstMatch >= 0)
            .OrderBy(c => c.FirstMatch)
            .ThenByDescending(c => c.Sorted.Slices.Count)
            .ThenBy(c => c.Sorted.Series.SeriesNumber ?? int.MaxValue)
            .ThenBy(c => c.Sorted.Series.SeriesInstanceUid, StringComparer.Ordinal)
            .FirstOrDefault();

        var rejected = new List<RejectedSeries>();
        foreach (var candidate in candidates)
        {
            if (ReferenceEquals(candidate, best))
            {
                continue;
            }

            var reasons = new List<SelectionReason>();
            int triedRules = candidate.FirstMatch >= 0 ? candidate.FirstMatch : _rules.Count;
            var seen = new HashSet<(string, string)>();
            for (int r = 0; r < triedRules; r++)
            {
                foreach (var (condition, why) in candidate.Failures[r])
                {
                    if (seen.Add((condition, why)))
                    {
                        reasons.Add(new SelectionReason(_rules[r].Name, condition, why));
                    }
                }
            }

            if (candidate.FirstMatch >= 0 && best is not null)
            {
                var rule = _rules[candidate.FirstMatch].Name;
                var why = best.FirstMatch < candidate.FirstMatch
                    ? $"met rule \"{rule}\", but {best.Sorted.Series} met the preferred rule \"{_rules[best.FirstMatch].Name}\""
                    : Invariant($"met rule \"{rule}\" with {candidate.Sorted.Slices.Count} slices, but {best.Sorted.Series} met it too with {best.Sorted.Slices.Count} slices and wins the tie-break (most slices, then lowest Series Number, then UID)");
                reasons.Add(new SelectionReason(rule, SelectionReason.Outranked, why));
            }

            rejected.Add(new RejectedSeries(candidate.Sorted, reasons));
        }

        if (best is null)
        {
            return new SeriesSelection(study, null, null, null, rejected);
        }

        int sameRule = candidates.Count(c => c.FirstMatch == best.FirstMatch);
        var explanation = Invariant(
            $"rule \"{_rules[best.FirstMatch].Name}\" (preference {best.FirstMatch + 1} of {_rules.Count}) chose it; {best.Sorted.Slices.Count} slices; {sameRule} series met that rule");
        return new SeriesSelection(study, best.Sorted, _rules[best.FirstMatch].Name, explanation, rejected);
    }

    private Candidate Evaluate(SortedSeries sorted)
    {
        var failures = new List<(string Condition, string Why)>[_rules.Count];
        int firstMatch = -1;
        for (int r = 0; r < _rules.Count; r++)
        {
            failures[r] = [];
            foreach (var condition in _rules[r].Conditions)
            {
                if (condition.Check(sorted) is { } why)
                {
                    failures[r].Add((condition.Name, why));
                }
            }

            if (failures[r].Count == 0)
            {
                firstMatch = r;
                break;
            }
        }

        return new Candidate(sorted, firstMatch, failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Candidate(SortedSeries Sorted, int FirstMatch, List<(string Condition, string Why)>[] Failures);
}
