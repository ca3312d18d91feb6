namespace Headsup.Datasets;

/// <summary>A train/validation split with no patient on both sides.</summary>
/// <param name="Train">Training samples (input order kept).</param>
/// <param name="Validation">Validation samples (input order kept).</param>
public sealed record DatasetSplit(IReadOnlyList<LabeledSample> Train, IReadOnlyList<LabeledSample> Validation)
{
    /// <summary>Maps each sample's <see cref="LabeledSample.File"/> to "train" or "validation", for <see cref="DatasetManifest.Create"/>.</summary>
    public IReadOnlyDictionary<string, string> ToSplitMap()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in Train)
        {
            map[s.File] = SplitNames.Train;
        }

        foreach (var s in Validation)
        {
            map[s.File] = SplitNames.Validation;
        }

        return map;
    }
}

/// <summary>One fold of a k-fold split.</summary>
/// <param name="Index">Fold number, 0-based.</param>
/// <param name="Train">Samples of the other folds.</param>
/// <param name="Validation">Samples of this fold.</param>
public sealed record DatasetFold(int Index, IReadOnlyList<LabeledSample> Train, IReadOnlyList<LabeledSample> Validation);

/// <summary>
/// Seeded patient-level splits: all samples of a patient go to the same side, and the split is stratified by the
/// patient's label (positive when any of its samples is). The result depends only on the samples and the seed, not on
/// the input order.
/// </summary>
public static class PatientSplitter
{
    /// <summary>
    /// Splits so that round(<paramref name="validationFraction"/> × patients) of the positive patients and likewise of the
    /// negative patients are in validation.
    /// </summary>
    /// <exception cref="DatasetException">There are no positive or no negative samples.</exception>
    /// <remarks>When every patient is positive (or every one negative), patients are split without stratification.</remarks>
    public static DatasetSplit Split(IEnumerable<LabeledSample> samples, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (!(validationFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be within 0..1");
        }

        var list = samples.ToArray();
        var (positive, negative) = PatientsByClass(list, seed);
        var validation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in new[] { positive, negative })
        {
            int take = (int)Math.Round(validationFraction * group.Count, MidpointRounding.AwayFromZero);
            validation.UnionWith(group.Take(take));
        }

        return new DatasetSplit(
            list.Where(s => !validation.Contains(s.PatientId)).ToArray(),
            list.Where(s => validation.Contains(s.PatientId)).ToArray());
    }

    /// <summary>
    /// k folds grouped by patient and stratified: positive patients are dealt round-robin over the folds, then negative
    /// patients continue the deal, so fold sizes differ by at most one patient per class.
    /// </summary>
    /// <exception cref="DatasetException">There are no positive or no negative samples, or fewer patients than folds.</exception>
    public static IReadOnlyList<DatasetFold> KFold(IEnumerable<LabeledSample> samples, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var list = samples.ToArray();
        var (positive, negative) = PatientsByClass(list, seed);
        if (positive.Count + negative.Count < k)
        {
            throw new DatasetException($"{positive.Count + negative.Count} patients cannot make {k} folds");
        }

        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int next = 0;
        foreach (var patient in positive.Concat(negative))
        {
            foldOf[patient] = next;
            next = (next + 1) % k;
        }

        return Enumerable.Range(0, k).Select(f => new DatasetFold(
            f,
            list.Where(s => foldOf[s.PatientId] != f).ToArray(),
            list.Where(s => foldOf[s.PatientId] == f).ToArray())).ToArray();
    }

    /// <summary>Patient ids by patient-level class, each list sorted then shuffled with the seed.</summary>
    internal static (List<string> Positive, List<string> Negative) PatientsByClass(IReadOnlyList<LabeledSample> samples, int seed)
    {
        var label = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            label[s.PatientId] = Math.Max(label.GetValueOrDefault(s.PatientId), s.Any);
        }

        var positive = label.Where(p => p.Value == 1).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var negative = label.Where(p => p.Value == 0).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        // Every patient may be positive (each study holds some bleeding slices and many normal ones): that is still a
        // usable split, stratified trivially. Only data without any positive or any negative sample is refused.
        if (!samples.Any(s => s.Any == 1) || !samples.Any(s => s.Any == 0))
        {
            throw new DatasetException($"cannot split: {samples.Count(s => s.Any == 1)} positive and {samples.Count(s => s.Any == 0)} negative samples ({positive.Count} positive and {negative.Count} negative patients); both classes are needed");
        }

        var random = new Random(seed);
        Shuffle(positive, random);
        Shuffle(negative, random);
        return (positive, negative);
    }

    internal static void Shuffle<T>(IList<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
