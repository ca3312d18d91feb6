using Headsup.Datasets;
using Headsup.Inputs;
using Headsup.Testing;
using Headsup.Training;
using Xunit;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// Issue 12's two training draws: fresh lesions before every epoch (<see cref="TrainingOptions.SyntheticRefresh"/>) and
/// hard-negative mining (<see cref="TrainingOptions.HardNegatives"/>).
/// </summary>
public sealed class TrainingDrawTests(TrainingDrawTests.MixedPhantom phantom) : IClassFixture<TrainingDrawTests.MixedPhantom>
{
    /// <summary>4 studies of 10 slices at 128², half of them with a bleed: negatives to insert lesions into, and both classes.</summary>
    public sealed class MixedPhantom() : GeneratedPhantom(new Headsup.Phantom.PhantomOptions
    {
        Seed = 21, Studies = 4, SliceCount = 10, MatrixSize = 128, Hemorrhage = Headsup.Phantom.HemorrhageMode.Random, PositiveStudyFraction = 0.5,
    });

    private InputCache PhantomCache()
    {
        var samples = DatasetLoader.Load(phantom.Folder.Path).Samples;
        var problems = new List<SampleProblem>();
        var cache = InputCache.Build(samples, new InputSpec("gray-brain", 64), problems);
        Assert.Empty(problems);
        return cache;
    }

    private static List<(string File, byte[] Data)> Synthetic(InputCache cache) =>
        cache.Items.Where(i => i.Synthetic).Select(i => (i.Sample.File, i.Data)).ToList();

    [Fact]
    public void FreshRound_InsertsNewLesionsIntoOtherNegatives_AndIsRepeatable()
    {
        var cache = PhantomCache();
        int real = cache.Count;
        int negatives = cache.Items.Count(i => i.Any == 0);
        var observer = new SilentObserver();
        int added1 = SyntheticPositives.Add(cache, 0.5, 3, observer, CancellationToken.None);
        Assert.True(added1 > 0, $"{negatives} negatives; problems: {string.Join("; ", observer.Problems)}");
        Assert.InRange(added1, 1, (int)Math.Round(negatives * 0.5));
        var round1 = Synthetic(cache);
        Assert.Equal(added1, cache.RemoveSynthetic());
        Assert.Equal(real, cache.Count);

        int added2 = SyntheticPositives.Add(cache, 0.5, 3, observer, CancellationToken.None, round: 2);
        var round2 = Synthetic(cache);
        Assert.True(added2 > 0);
        // Another half of the negatives, and new lesions even where the same negative is drawn again.
        Assert.NotEqual(round1.Select(s => s.File).ToHashSet(), round2.Select(s => s.File).ToHashSet());
        var firstOf = round1.GroupBy(s => s.File).ToDictionary(g => g.Key, g => g.First().Data);
        var again = round2.Where(s => firstOf.ContainsKey(s.File)).ToList();
        Assert.All(again, s => Assert.NotEqual(firstOf[s.File], s.Data));

        cache.RemoveSynthetic();
        SyntheticPositives.Add(cache, 0.5, 3, observer, CancellationToken.None, round: 2);
        var repeat = Synthetic(cache);
        Assert.Equal(round2.Select(s => s.File), repeat.Select(s => s.File));
        Assert.Equal(round2.Select(s => s.Data), repeat.Select(s => s.Data));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticPositives.Add(cache, 0.5, 3, observer, CancellationToken.None, round: 0));
    }

    [Fact]
    public void Mimics_AreNegativeCopiesWithACalcification_Repeatable_AndLeaveTheLesionDrawAlone()
    {
        var observer = new SilentObserver();
        var plain = PhantomCache();
        SyntheticPositives.Add(plain, 0.5, 3, observer, CancellationToken.None);
        var lesionsAlone = Synthetic(plain);

        var cache = PhantomCache();
        int negatives = cache.Items.Count(i => i.Any == 0);
        SyntheticPositives.Add(cache, 0.5, 3, observer, CancellationToken.None);
        int mimics = SyntheticPositives.AddMimics(cache, 0.5, 3, observer, CancellationToken.None);
        Assert.True(mimics > 0, string.Join("; ", observer.Problems));
        Assert.InRange(mimics, 1, (int)Math.Round(negatives * 0.5));
        var added = cache.Items.Where(i => i.Synthetic && i.Any == 0).ToList();
        Assert.Equal(mimics, added.Count);
        Assert.All(added, m => Assert.All(m.Subtypes, s => Assert.Equal(0, s)));
        Assert.All(added, m => Assert.Equal(0, m.Sample.Any)); // made from real negatives only
        // The lesions are the same whether mimics follow or not.
        Assert.Equal(lesionsAlone.Select(s => s.Data), cache.Items.Where(i => i.Synthetic && i.Any == 1).Select(i => i.Data));
        // Each mimic differs from its negative (a calcification is drawn), and the draw repeats for the seed.
        var realOf = cache.Items.Where(i => !i.Synthetic).GroupBy(i => i.Sample.File).ToDictionary(g => g.Key, g => g.First().Data);
        Assert.All(added, m => Assert.NotEqual(realOf[m.Sample.File], m.Data));
        var again = PhantomCache();
        SyntheticPositives.AddMimics(again, 0.5, 3, observer, CancellationToken.None);
        Assert.Equal(added.Select(m => m.Data), again.Items.Where(i => i.Synthetic).Select(i => i.Data));
    }

    [Fact]
    public void Training_WithRefresh_ReplacesTheSyntheticPositivesEachEpoch_AndStaysDeterministic()
    {
        var options = new TrainingOptions
        {
            Architecture = "small-cnn", Size = 64, Epochs = 3, Patience = 50, BatchSize = 16, LearningRate = 3e-3, Augmentation = 0.3,
            Seed = 5, Threads = 2, SyntheticPositivesPerNegative = 0.5, SyntheticRefresh = true, HardNegatives = 2, SourceBalance = 0.5,
        };
        var runs = new List<(double[] Logits, List<(string File, byte[] Data)> Synthetic)>();
        for (int run = 0; run < 2; run++)
        {
            var train = PhantomCache();
            var validation = PhantomCache();
            SyntheticPositives.Add(train, options.SyntheticPositivesPerNegative, options.Seed, new SilentObserver(), CancellationToken.None);
            var before = Synthetic(train);
            var outcome = new Trainer(options).Train(train, validation);
            using var network = outcome.Network;
            Assert.Equal(3, outcome.History.Count);
            var after = Synthetic(train);
            Assert.NotEmpty(after);
            Assert.NotEqual(before.Select(s => s.Data), after.Select(s => s.Data)); // the last epoch trained on draw 3, not draw 1
            Assert.All(outcome.History, h => Assert.True(double.IsFinite(h.TrainLoss)));
            runs.Add((outcome.ValidationLogits, after));
        }

        Assert.Equal(runs[0].Logits, runs[1].Logits);
        Assert.Equal(runs[0].Synthetic.Select(s => s.Data), runs[1].Synthetic.Select(s => s.Data));
    }

    [Fact]
    public void DrawWeights_RaiseTheNegativesTheNetworkTookForBleeds_Only()
    {
        var cache = SyntheticData.Make(24, 32, seed: 12);
        var negatives = cache.Items.Where(i => i.Any == 0).ToList();
        var positive = cache.Items.First(i => i.Any == 1);
        var scored = new Dictionary<CachedInput, double>(ReferenceEqualityComparer.Instance)
        {
            [negatives[0]] = 0.9, // a hard negative
            [negatives[1]] = 0.0, // an easy one
            [positive] = 0.1,     // positives are never re-weighted
        };

        Assert.Null(Trainer.DrawWeights(cache, new TrainingOptions(), scored)); // neither on: a plain shuffle
        Assert.Null(Trainer.DrawWeights(cache, new TrainingOptions { HardNegatives = 3 }, new Dictionary<CachedInput, double>())); // epoch 1: nothing scored yet
        var weights = Trainer.DrawWeights(cache, new TrainingOptions { HardNegatives = 3 }, scored)!;
        int Index(CachedInput item) => cache.Items.ToList().IndexOf(item);
        Assert.Equal(1 + (3 * 0.9), weights[Index(negatives[0])], 9);
        Assert.Equal(1.0, weights[Index(negatives[1])], 9);
        Assert.Equal(1.0, weights[Index(positive)], 9);
        Assert.Equal(1.0, weights[Index(negatives[2])], 9); // not scored yet

        // With source balancing the two factors multiply: one source of 24 inputs → 24^-0.5 each.
        var balanced = Trainer.DrawWeights(cache, new TrainingOptions { HardNegatives = 3, SourceBalance = 0.5 }, scored)!;
        Assert.Equal(Math.Pow(24, -0.5) * (1 + (3 * 0.9)), balanced[Index(negatives[0])], 9);
        Assert.Equal(Math.Pow(24, -0.5), balanced[Index(positive)], 9);
    }

    [Fact]
    public void Options_RoundTripThroughTheRecordedDescription()
    {
        var options = new TrainingOptions { SyntheticPositivesPerNegative = 1, SyntheticRefresh = true, HardNegatives = 2, SyntheticMimicsPerNegative = 0.25 };
        var back = TrainingOptions.FromDescription(options.Describe());
        Assert.True(back.SyntheticRefresh);
        Assert.Equal(2, back.HardNegatives);
        Assert.Equal(0.25, back.SyntheticMimicsPerNegative);
        Assert.Contains("synthetic_mimics_per_negative", Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["synthetic_mimics_per_negative"] = "-1" })).Message, StringComparison.Ordinal);
        Assert.False(TrainingOptions.FromDescription(new TrainingOptions().Describe()).SyntheticRefresh);
        Assert.Equal("0", new TrainingOptions().Describe()["hard_negatives"]);
        Assert.Contains("hard_negatives", Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["hard_negatives"] = "-1" })).Message, StringComparison.Ordinal);
        Assert.Contains("synthetic_refresh", Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["synthetic_refresh"] = "yes" })).Message, StringComparison.Ordinal);
    }

    private sealed class SilentObserver : ITrainingObserver
    {
        public void Stage(string name, int total)
        {
        }

        public void Advance(int done)
        {
        }

        public void Training(TrainingProgress progress)
        {
        }

        public void Problem(SampleProblem problem) => Problems.Add(problem.Message);

        public List<string> Problems { get; } = [];
    }
}
