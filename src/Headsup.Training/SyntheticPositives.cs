using Headsup.Inputs;
using Headsup.Training.Lesions;
using Headsup.Datasets;

namespace Headsup.Training;

/// <summary>
/// Makes positives from real training negatives by inserting realistic hemorrhages (Headsup.Datasets
/// <see cref="LesionSynthesizer"/>): the way a site with few labelled bleeds can still train. Only the training side
/// gets them; validation and evaluation stay real.
/// </summary>
public static class SyntheticPositives
{
    /// <summary>
    /// Adds about <paramref name="perNegative"/> synthetic positives per real negative; returns how many were added.
    /// Round 1 takes the negatives in the cache's order; each later <paramref name="round"/> (a fresh draw before an
    /// epoch, <see cref="TrainingOptions.SyntheticRefresh"/>) shuffles which negatives get a lesion and draws new lesions.
    /// </summary>
    public static int Add(InputCache cache, double perNegative, int seed, ITrainingObserver observer, CancellationToken cancellationToken, int round = 1)
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

        if (round > 1)
        {
            new Random(unchecked((seed * 31_337) + (round * 7_919_113))).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(negatives));
        }

        observer.Stage($"inserting lesions into {wanted} copies of training negatives" + (round > 1 ? $" (fresh draw {round})" : ""), wanted);
        int roundSalt = round == 1 ? 0 : unchecked(round * 1_000_003);
        var jobs = Enumerable.Range(0, wanted).Select(i => (Source: negatives[i % negatives.Count], Seed: unchecked((seed * 7919) + (i * 104_729) + 17 + roundSalt))).ToList();
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
                var lesion = synthesizer.Synthesize(image, new Random(jobSeed));
                if (lesion is not null)
                {
                    var data = cache.Prepare(lesion.Image, neighbourOf.GetValueOrDefault(source.Sample));
                    var subtypes = HemorrhageLabels.Subtypes.Select(s => (int?)(s == lesion.Subtype ? 1 : 0)).ToList();
                    made[j] = new CachedInput { Data = data, Any = 1, Subtypes = subtypes, Sample = source.Sample, Synthetic = true };
                }
            }
            catch (Exception ex) when (ex is InputException or DatasetException or Headsup.Dicom.DicomException or IOException)
            {
                observer.Problem(new SampleProblem(source.Sample.File, "lesion insertion: " + ex.Message));
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
