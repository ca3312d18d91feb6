namespace Headsup.Datasets;

/// <summary>Previous and next slice of a sample in its series, when the dataset holds them.</summary>
public readonly record struct Neighbours(LabeledSample? Previous, LabeledSample? Next);

/// <summary>Finds each sample's neighbours: same series, ordered by z (else instance number).</summary>
public static class SampleNeighbours
{
    /// <summary>Neighbours for each sample, in the order given.</summary>
    public static Neighbours[] Resolve(IReadOnlyList<LabeledSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var result = new Neighbours[samples.Count];
        var index = new Dictionary<LabeledSample, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < samples.Count; i++)
        {
            index[samples[i]] = i;
        }

        foreach (var series in samples.Where(s => s.SeriesId is not null && (s.Z is not null || s.InstanceNumber is not null)).GroupBy(s => s.SeriesId))
        {
            var ordered = series.OrderBy(s => s.Z ?? s.InstanceNumber ?? 0).ToList();
            for (int i = 0; i < ordered.Count; i++)
            {
                result[index[ordered[i]]] = new Neighbours(i > 0 ? ordered[i - 1] : null, i + 1 < ordered.Count ? ordered[i + 1] : null);
            }
        }

        return result;
    }
}
