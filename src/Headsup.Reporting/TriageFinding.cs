namespace Headsup.Reporting;

/// <summary>The study-level triage result to report.</summary>
/// <param name="Positive">True when the study probability reached the threshold (intracranial hemorrhage suspected); null when no decision was made (reported as Indeterminate).</param>
/// <param name="Probability">Study probability of any intracranial hemorrhage, 0 to 1.</param>
/// <param name="Threshold">Decision threshold on <paramref name="Probability"/>, 0 to 1.</param>
/// <param name="Subtypes">Probability (0 to 1) per subtype label, e.g. "subdural"; may be empty.</param>
/// <param name="KeySlices">Slices of the analysed series that best illustrate the result; may be empty.</param>
/// <param name="Partial">True when only part of the series could be analysed (the SR is then marked PARTIAL).</param>
/// <param name="Note">Free text shown in the report, e.g. why the result is partial; null for none.</param>
public sealed record TriageFinding(
    bool? Positive,
    double Probability,
    double Threshold,
    IReadOnlyDictionary<string, double> Subtypes,
    IReadOnlyList<ReferencedImage> KeySlices,
    bool Partial,
    string? Note)
{
    /// <summary>Study probability, 0 to 1.</summary>
    public double Probability { get; init; } = RequireProbability(Probability, nameof(Probability));

    /// <summary>Decision threshold, 0 to 1.</summary>
    public double Threshold { get; init; } = RequireProbability(Threshold, nameof(Threshold));

    /// <summary>Probability per subtype label.</summary>
    public IReadOnlyDictionary<string, double> Subtypes { get; init; } = RequireSubtypes(Subtypes);

    /// <summary>Key slices of the analysed series.</summary>
    public IReadOnlyList<ReferencedImage> KeySlices { get; init; } = RequireKeySlices(KeySlices);

    private static double RequireProbability(double value, string name) =>
        double.IsFinite(value) && value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability between 0 and 1");

    private static IReadOnlyDictionary<string, double> RequireSubtypes(IReadOnlyDictionary<string, double> Subtypes)
    {
        ArgumentNullException.ThrowIfNull(Subtypes);
        foreach (var (label, value) in Subtypes)
        {
            if (string.IsNullOrWhiteSpace(label))
            {
                throw new ArgumentException("Subtypes contains an empty label", nameof(Subtypes));
            }

            RequireProbability(value, $"Subtypes[\"{label}\"]");
        }

        return Subtypes;
    }

    private static IReadOnlyList<ReferencedImage> RequireKeySlices(IReadOnlyList<ReferencedImage> KeySlices)
    {
        ArgumentNullException.ThrowIfNull(KeySlices);
        for (int i = 0; i < KeySlices.Count; i++)
        {
            if (KeySlices[i] is null)
            {
                throw new ArgumentException($"KeySlices[{i}] is null", nameof(KeySlices));
            }
        }

        return KeySlices;
    }
}
