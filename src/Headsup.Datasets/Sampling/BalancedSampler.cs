namespace Headsup.Datasets;

/// <summary>The result of <see cref="BalancedSampler.Sample"/>.</summary>
/// <param name="Samples">The chosen samples, positives first, each class in its seeded random order.</param>
/// <param name="Notes">Classes that had fewer samples than asked (all of them were taken).</param>
public sealed record BalancedSample(IReadOnlyList<LabeledSample> Samples, IReadOnlyList<string> Notes)
{
    /// <summary>Positives chosen.</summary>
    public int Positives => Samples.Count(s => s.Any == 1);

    /// <summary>Negatives chosen.</summary>
    public int Negatives => Samples.Count(s => s.Any == 0);
}

/// <summary>Draws N samples per class (any = 1 and any = 0), seeded and independent of the input order, as the paper did.</summary>
public static class BalancedSampler
{
    /// <summary>Draws <paramref name="perClass"/> of each class; a class with fewer gives all it has and a note says so.</summary>
    /// <exception cref="DatasetException">A class has no samples at all.</exception>
    public static BalancedSample Sample(IEnumerable<LabeledSample> samples, int perClass, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        var list = samples.ToArray();
        var random = new Random(seed);
        var chosen = new List<LabeledSample>();
        var notes = new List<string>();
        foreach (var (value, name) in new[] { (1, "positive"), (0, "negative") })
        {
            var group = list.Where(s => s.Any == value).OrderBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.RelativeFile, StringComparer.Ordinal).ToList();
            if (group.Count == 0)
            {
                throw new DatasetException($"no {name} samples among {list.Length}: cannot draw {perClass} per class");
            }

            PatientSplitter.Shuffle(group, random);
            if (group.Count < perClass)
            {
                notes.Add($"only {group.Count} {name} samples, fewer than the {perClass} asked: all taken");
            }

            chosen.AddRange(group.Take(perClass));
        }

        return new BalancedSample(chosen, notes);
    }
}
