using Headsup.Inputs;
namespace Headsup.Datasets.Tests;

public class SamplingTests
{
    /// <summary>patients with 1..4 slices each; ~30 % positive patients (one positive slice among its slices).</summary>
    private static List<LabeledSample> MakeSamples(int patients, int seed = 1)
    {
        var random = new Random(seed);
        var list = new List<LabeledSample>();
        for (int p = 0; p < patients; p++)
        {
            bool positive = random.NextDouble() < 0.3;
            int slices = random.Next(1, 5);
            for (int k = 0; k < slices; k++)
            {
                list.Add(new LabeledSample
                {
                    File = $"/data/p{p}/s{k}.dcm",
                    RelativeFile = $"p{p}/s{k}.dcm",
                    Format = ImageFormat.Dicom,
                    Any = positive && k == 0 ? 1 : 0,
                    Subtypes = [null, null, null, null, null],
                    PatientId = "P" + p,
                    Source = "t",
                });
            }
        }

        return list;
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.1, 3)]
    public void Split_NoPatientOverlap_StratifiedWithinOnePatient(double fraction, int seed)
    {
        var samples = MakeSamples(97);
        var split = PatientSplitter.Split(samples, fraction, seed);
        Assert.Equal(samples.Count, split.Train.Count + split.Validation.Count);
        Assert.Empty(split.Train.Select(s => s.PatientId).Intersect(split.Validation.Select(s => s.PatientId)));
        foreach (int cls in new[] { 0, 1 })
        {
            int Patients(IEnumerable<LabeledSample> xs) => xs.GroupBy(s => s.PatientId).Count(g => g.Max(s => s.Any) == cls);
            int total = Patients(samples);
            int validation = Patients(split.Validation);
            Assert.InRange(validation, (fraction * total) - 1, (fraction * total) + 1);
        }

        var again = PatientSplitter.Split(Enumerable.Reverse(samples), fraction, seed);
        Assert.Equal(split.Validation.Select(s => s.File).Order(), again.Validation.Select(s => s.File).Order());
        var other = PatientSplitter.Split(samples, fraction, seed + 100);
        Assert.NotEqual(split.Validation.Select(s => s.File).Order(), other.Validation.Select(s => s.File).Order());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(3)]
    public void KFold_EachSampleInExactlyOneFold_GroupedAndStratified(int k)
    {
        var samples = MakeSamples(61, seed: 4);
        var folds = PatientSplitter.KFold(samples, k, seed: 9);
        Assert.Equal(k, folds.Count);
        var seen = folds.SelectMany(f => f.Validation).Select(s => s.File).ToList();
        Assert.Equal(samples.Count, seen.Count);
        Assert.Equal(samples.Count, seen.Distinct().Count());
        foreach (var fold in folds)
        {
            Assert.Equal(samples.Count, fold.Train.Count + fold.Validation.Count);
            Assert.Empty(fold.Train.Select(s => s.PatientId).Intersect(fold.Validation.Select(s => s.PatientId)));
        }

        foreach (int cls in new[] { 0, 1 })
        {
            var counts = folds.Select(f => f.Validation.GroupBy(s => s.PatientId).Count(g => g.Max(s => s.Any) == cls)).ToArray();
            Assert.True(counts.Max() - counts.Min() <= 1, string.Join(",", counts));
        }

        var again = PatientSplitter.KFold(samples, k, seed: 9);
        Assert.Equal(folds.Select(f => f.Validation.Select(s => s.File)), again.Select(f => f.Validation.Select(s => s.File)));
    }

    [Fact]
    public void EmptyClass_TypedError()
    {
        var negatives = MakeSamples(20).Select(s => s with { Any = 0 }).ToList();
        var ex = Assert.Throws<DatasetException>(() => PatientSplitter.Split(negatives, 0.2, 1));
        Assert.Contains("positive", ex.Message, StringComparison.Ordinal);
        Assert.Throws<DatasetException>(() => PatientSplitter.KFold(negatives, 5, 1));
        Assert.Throws<DatasetException>(() => BalancedSampler.Sample(negatives, 5, 1));
    }

    [Fact]
    public void Balanced_NPerClass_DeterministicAndShortfallReported()
    {
        var samples = MakeSamples(200);
        int positives = samples.Count(s => s.Any == 1);
        var a = BalancedSampler.Sample(samples, 10, seed: 5);
        Assert.Equal(10, a.Positives);
        Assert.Equal(10, a.Negatives);
        Assert.Empty(a.Notes);
        var b = BalancedSampler.Sample(Enumerable.Reverse(samples), 10, seed: 5);
        Assert.Equal(a.Samples.Select(s => s.File), b.Samples.Select(s => s.File));
        Assert.Equal(20, a.Samples.Select(s => s.File).Distinct().Count());

        var big = BalancedSampler.Sample(samples, positives + 5, seed: 5);
        Assert.Equal(positives, big.Positives);
        Assert.Equal(positives + 5, big.Negatives);
        Assert.Single(big.Notes);
    }
}
