using Headsup.Evaluation.Metrics;
using Headsup.Models.Tests.Networks;
using Headsup.Training;
using Headsup.Testing;
using Xunit;

namespace Headsup.Models.Tests.Training;

public sealed class TrainerTests
{
    private static TrainingOptions Options(int epochs) => new()
    {
        Architecture = "small-cnn",
        Size = 64,
        Epochs = epochs,
        Patience = 50,
        BatchSize = 16,
        LearningRate = 3e-3,
        Augmentation = 0.3,
        Seed = 7,
        Threads = 2,
    };

    [Fact]
    public void Train_LearnsABlobTask_AndKeepsTheBestEpoch()
    {
        TorchTestSetup.Seed(1);
        var train = SyntheticData.Make(96, 64, seed: 1);
        var validation = SyntheticData.Make(40, 64, seed: 2);
        var outcome = new Trainer(Options(6)).Train(train, validation);
        using var network = outcome.Network;
        var labels = validation.Items.Select(i => i.Any).ToArray();
        double auc = RankingMetrics.RocAuc(outcome.ValidationLogits, labels);
        Assert.True(auc > 0.9, $"validation AUC {auc:0.000} after {outcome.History.Count} epochs");
        Assert.Equal(outcome.History.Max(h => h.ValidationAp), outcome.BestValidationAp, 6);
        Assert.Equal(outcome.History.First(h => h.ValidationAp == outcome.BestValidationAp).Epoch, outcome.BestEpoch);
        Assert.Equal(6, outcome.Outputs.Count); // any + five subtypes, since subtype labels exist
    }

    [Fact]
    public void WeightAverage_IsTheMeanOfTheSnapshots_BatchCountsKeepTheLast()
    {
        using var a = TorchSharp.torch.nn.BatchNorm1d(3);
        var snapshots = new[] { 1f, 4f, 7f };
        using var average = new WeightAverage();
        long tracked = 0;
        foreach (var value in snapshots)
        {
            using (TorchSharp.torch.no_grad())
            {
                foreach (var (name, t) in a.state_dict())
                {
                    if (t.is_floating_point())
                    {
                        t.fill_(value);
                    }
                    else
                    {
                        t.fill_(++tracked);
                    }
                }
            }

            average.Add(a);
        }

        Assert.Equal(3, average.Count);
        using var b = TorchSharp.torch.nn.BatchNorm1d(3);
        average.CopyTo(b);
        foreach (var (name, t) in b.state_dict())
        {
            if (t.is_floating_point())
            {
                Assert.All(t.data<float>().ToArray(), v => Assert.Equal(4f, v, 5)); // (1 + 4 + 7) / 3, weights and running statistics alike
            }
            else
            {
                Assert.Equal(3L, t.item<long>());
            }
        }

        using var empty = new WeightAverage();
        Assert.Throws<InvalidOperationException>(() => empty.CopyTo(b));
    }

    [Fact]
    public void Train_WithWeightAveraging_KeepsTheMeanOfTheLaterEpochs()
    {
        var train = SyntheticData.Make(48, 64, seed: 3);
        var validation = SyntheticData.Make(16, 64, seed: 4);
        var plain = new Trainer(Options(3)).Train(train, validation);
        var averaged = new Trainer(Options(3) with { AverageFromEpoch = 2 }).Train(train, validation);
        using var a = plain.Network;
        using var b = averaged.Network;
        Assert.Empty(plain.AveragedEpochs);
        Assert.Equal([2, 3], averaged.AveragedEpochs);
        // Same seed, same epochs: the same history; only the weights kept differ.
        Assert.Equal(plain.History.Select(h => h.TrainLoss), averaged.History.Select(h => h.TrainLoss));
        Assert.NotEqual(plain.ValidationLogits, averaged.ValidationLogits);
        // The logits returned are the averaged network's own.
        var again = CachePredictor.Logits(b, validation).Select(l => (double)l[0]).ToArray();
        Assert.Equal(averaged.ValidationLogits, again);
        // A run that stops before the averaging starts keeps its best epoch.
        var early = new Trainer(Options(2) with { AverageFromEpoch = 5 }).Train(train, validation);
        using var c = early.Network;
        Assert.Empty(early.AveragedEpochs);
    }

    [Fact]
    public void Train_SameSeed_GivesTheSameLogits()
    {
        var train = SyntheticData.Make(48, 64, seed: 3);
        var validation = SyntheticData.Make(16, 64, seed: 4);
        var first = new Trainer(Options(2)).Train(train, validation);
        var second = new Trainer(Options(2)).Train(train, validation);
        using var a = first.Network;
        using var b = second.Network;
        Assert.Equal(first.ValidationLogits, second.ValidationLogits);
    }

    [Fact]
    public void Train_OneClassOnly_IsRefused()
    {
        var train = SyntheticData.Make(20, 64, seed: 5, positiveFraction: 0);
        var validation = SyntheticData.Make(8, 64, seed: 6);
        var ex = Assert.Throws<ModelException>(() => new Trainer(Options(1)).Train(train, validation));
        Assert.Contains("one class", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_ContinuesFromTheCheckpoint_WithTheSameHistory()
    {
        var train = SyntheticData.Make(48, 64, seed: 8);
        var validation = SyntheticData.Make(16, 64, seed: 9);
        using var folder = TestData.CreateTempFolder();
        var checkpoint = Path.Combine(folder.Path, "ckpt");
        var firstTwo = new Trainer(Options(2)).Train(train, validation, checkpointDirectory: checkpoint);
        firstTwo.Network.Dispose();
        Assert.True(File.Exists(Path.Combine(checkpoint, "state.json")));
        var resumed = new Trainer(Options(3)).Train(train, validation, checkpointDirectory: checkpoint, resume: true);
        using var network = resumed.Network;
        Assert.Equal(3, resumed.History.Count);
        Assert.Equal(firstTwo.History.Select(h => h.TrainLoss), resumed.History.Take(2).Select(h => h.TrainLoss));
        Assert.Equal(3, resumed.History[^1].Epoch);
    }

    /// <summary>Synthetic training and validation data, and a checkpoint in <paramref name="folder"/> after <paramref name="first"/> run.</summary>
    private static (InputCache Train, InputCache Validation, string Checkpoint) Checkpointed(TempFolder folder, int seed, TrainingOptions first)
    {
        var train = SyntheticData.Make(32, 64, seed: seed);
        var validation = SyntheticData.Make(12, 64, seed: seed + 1);
        var checkpoint = Path.Combine(folder.Path, "ckpt");
        new Trainer(first).Train(train, validation, checkpointDirectory: checkpoint).Network.Dispose();
        return (train, validation, checkpoint);
    }

    [Fact]
    public void Resume_OfARunThatHadStoppedForPatience_TrainsNoFurther()
    {
        using var folder = TestData.CreateTempFolder();
        var (train, validation, checkpoint) = Checkpointed(folder, 12, Options(3));

        // As if epoch 1 had been the best: with patience 2 the run stopped after epoch 3; with patience 50 it goes on.
        var statePath = Path.Combine(checkpoint, "state.json");
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(statePath))!;
        state["BestEpoch"] = 1;
        File.WriteAllText(statePath, state.ToJsonString());
        var stopped = new Trainer(Options(6) with { Patience = 2 }).Train(train, validation, checkpointDirectory: checkpoint, resume: true);
        stopped.Network.Dispose();
        Assert.Equal(3, stopped.History.Count);
        Assert.Equal(1, stopped.BestEpoch);
        var goesOn = new Trainer(Options(5)).Train(train, validation, checkpointDirectory: checkpoint, resume: true);
        goesOn.Network.Dispose();
        Assert.Equal(5, goesOn.History.Count);
    }

    [Fact]
    public void Resume_AfterWeightAveragingBegan_IsRefused_BeforeItIsAllowed()
    {
        using var folder = TestData.CreateTempFolder();
        var (train, validation, checkpoint) = Checkpointed(folder, 14, Options(2) with { AverageFromEpoch = 3 });
        var ex = Assert.Throws<ModelException>(() => new Trainer(Options(4) with { AverageFromEpoch = 2 }).Train(train, validation, checkpointDirectory: checkpoint, resume: true));
        Assert.Contains("weight averaging began (epoch 2)", ex.Message, StringComparison.Ordinal);
        var resumed = new Trainer(Options(4) with { AverageFromEpoch = 3 }).Train(train, validation, checkpointDirectory: checkpoint, resume: true);
        resumed.Network.Dispose();
        Assert.Equal(4, resumed.History.Count);
        Assert.Equal([3, 4], resumed.AveragedEpochs);
    }

    [Fact]
    public void Resume_OfAnotherRun_IsRefused()
    {
        var train = SyntheticData.Make(32, 64, seed: 10);
        var validation = SyntheticData.Make(8, 64, seed: 11);
        using var folder = TestData.CreateTempFolder();
        var checkpoint = Path.Combine(folder.Path, "ckpt");
        new Trainer(Options(1)).Train(train, validation, checkpointDirectory: checkpoint).Network.Dispose();
        var other = Options(2) with { Architecture = "resnet18" };
        var ex = Assert.Throws<ModelException>(() => new Trainer(other).Train(train, validation, checkpointDirectory: checkpoint, resume: true));
        Assert.Contains("another run", ex.Message, StringComparison.Ordinal);
    }
}
