using Headsup.Inputs;
using Headsup.Training.Lesions;
using Headsup.Datasets;

namespace Headsup.Training;

/// <summary>
/// Makes positives from real training negatives by inserting realistic hemorrhages (<see cref="LesionSynthesizer"/>):
/// the way a site with few labelled bleeds can still train; and, on request, negatives with bleed mimics (physiological
/// calcifications). Only the training side gets them; validation and evaluation stay real.
/// </summary>
public static class SyntheticPositives
{
    /// <summary>
    /// Adds about <paramref name="perNegative"/> synthetic positives per real negative; returns how many were added.
    /// Round 1 takes the negatives in the cache's order; each later <paramref name="round"/> (a fresh draw before an
    /// epoch, <see cref="TrainingOptions.SyntheticRefresh"/>) shuffles which negatives get a lesion and draws new lesions.
    /// </summary>
    public static int Add(InputCache cache, double perNegative, int seed, ITrainingObserver observer, CancellationToken cancellationToken, int round = 1) =>
        Insert(cache, perNegative, seed, observer, round, "inserting lesions into {0} copies of training negatives", seedSalt: 17, shuffleSalt: 0, (synthesizer, image, random) =>
        {
            var lesion = synthesizer.Synthesize(image, random);
            return lesion is null ? null : (lesion.Image, HemorrhageLabels.Subtypes.Select(s => (int?)(s == lesion.Subtype ? 1 : 0)).ToList());
        }, cancellationToken);

    /// <summary>
    /// Adds about <paramref name="perNegative"/> synthetic <em>negatives</em> per real negative: copies with a
    /// physiological calcification inserted (<see cref="LesionSynthesizer.SynthesizeCalcification"/>; choroid plexus,
    /// pineal, basal ganglia, falx), the bright foci a bleed detector confuses with blood. Rounds as in
    /// <see cref="Add"/>, drawn independently of the lesions. Returns how many were added.
    /// </summary>
    public static int AddMimics(InputCache cache, double perNegative, int seed, ITrainingObserver observer, CancellationToken cancellationToken, int round = 1) =>
        Insert(cache, perNegative, seed, observer, round, "inserting calcifications (bleed mimics) into {0} copies of training negatives", seedSalt: 1_000_033, shuffleSalt: 424_242, (synthesizer, image, random) =>
        {
            var mimic = synthesizer.SynthesizeCalcification(image, random);
            return mimic is null ? null : (mimic.Image, HemorrhageLabels.Subtypes.Select(_ => (int?)0).ToList());
        }, cancellationToken);

    private delegate (SliceImage Image, List<int?> Subtypes)? Maker(LesionSynthesizer synthesizer, SliceImage negative, Random random);

    /// <summary>
    /// The shared insertion: <paramref name="make"/> turns copies of real training negatives into synthetic inputs, in
    /// parallel, deterministic for (seed, round, salts); a sample that fails to load is reported and skipped.
    /// </summary>
    private static int Insert(InputCache cache, double perNegative, int seed, ITrainingObserver observer, int round, string stage, int seedSalt, int shuffleSalt, Maker make, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentOutOfRangeException.ThrowIfLessThan(round, 1);
        var negatives = cache.Items.Where(i => i.Any == 0 && !i.Synthetic).ToList();
        int wanted = (int)Math.Round(negatives.Count * perNegative);
        if (wanted == 0 || negatives.Count == 0)
        {
            return 0;
        }

        if (round > 1 || shuffleSalt != 0)
        {
            new Random(unchecked((seed * 31_337) + (round * 7_919_113) + shuffleSalt)).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(negatives));
        }

        observer.Stage(string.Format(System.Globalization.CultureInfo.InvariantCulture, stage, wanted) + (round > 1 ? $" (fresh draw {round})" : ""), wanted);
        int roundSalt = round == 1 ? 0 : unchecked(round * 1_000_003);
        var jobs = Enumerable.Range(0, wanted).Select(i => (Source: negatives[i % negatives.Count], Seed: unchecked((seed * 7919) + (i * 104_729) + seedSalt + roundSalt))).ToList();
        var made = new CachedInput?[jobs.Count];
        int done = 0;
        var real = cache.Items.Where(i => !i.Synthetic).Select(i => i.Sample).ToList();
        var neighbourOf = new Dictionary<LabeledSample, Neighbours>(ReferenceEqualityComparer.Instance);
        if (cache.Spec.NeedsNeighbours)
        {
            var resolved = SampleNeighbours.Resolve(real);
            for (int i = 0; i < real.Count; i++)
            {
                neighbourOf[real[i]] = resolved[i];
            }
        }

        var synthesizer = new LesionSynthesizer();
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, j =>
        {
            var (source, jobSeed) = jobs[j];
            try
            {
                var image = SampleImages.Load(source.Sample);
                if (make(synthesizer, image, new Random(jobSeed)) is { } result)
                {
                    var data = cache.Prepare(result.Image, neighbourOf.GetValueOrDefault(source.Sample));
                    int any = result.Subtypes.Any(s => s == 1) ? 1 : 0;
                    made[j] = new CachedInput { Data = data, Any = any, Subtypes = result.Subtypes, Sample = source.Sample, Synthetic = true };
                }
            }
            catch (Exception ex) when (ex is InputException or DatasetException or Headsup.Dicom.DicomException or IOException)
            {
                observer.Problem(new SampleProblem(source.Sample.File, "synthetic insertion: " + ex.Message));
            }

            observer.Advance(Interlocked.Increment(ref done));
        });
        int added = 0;
        foreach (var item in made)
        {
            if (item is not null)
            {
                cache.Add(item);
                added++;
            }
        }

        return added;
    }
}
