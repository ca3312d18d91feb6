using Headsup.Models.Networks;
using Headsup.Testing;
using Headsup.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Training;

public sealed class CheckpointTests
{
    private static readonly TrainingOptions s_options = new() { Architecture = "small-cnn", Size = 64, Seed = 3, Threads = 2 };

    /// <summary>A small-cnn with its own initial weights (seed) and an AdamW optimiser over them.</summary>
    private sealed class Net : IDisposable
    {
        public Net(int seed)
        {
            torch.manual_seed(seed);
            Network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
            Optimizer = new AdamWOptimizer([(Network.parameters(), 1e-3, 0.0)]);
        }

        public ClassifierNetwork Network { get; }

        public AdamWOptimizer Optimizer { get; }

        public void Dispose()
        {
            Optimizer.Dispose();
            Network.Dispose();
        }
    }

    private static float[] Flat(nn.Module network) =>
        network.state_dict().Where(kv => kv.Value.is_floating_point()).SelectMany(kv => kv.Value.to(ScalarType.Float32).data<float>().ToArray()).ToArray();

    private static CheckpointState State(int epoch, int bestEpoch) =>
        new(epoch, 0.5, bestEpoch, [.. Enumerable.Range(1, epoch).Select(e => new EpochRecord(e, 1.0 / e, 0.5, 0.5, 1))]);

    [Fact]
    public void ACrashDuringTheNextSave_LeavesTheLastCheckpointWhole()
    {
        using var folder = TestData.CreateTempFolder();
        using var a = new Net(1);
        using var b = new Net(2);
        var checkpoint = new Checkpoint(folder.Path);
        checkpoint.SaveBest(a.Network, 1);
        checkpoint.Save(a.Network, a.Optimizer, s_options, State(1, 1));

        // Epoch 2 is better and its best weights are written; the process dies before its state.json is (and, worse,
        // while its weights file is half written).
        checkpoint.SaveBest(b.Network, 2);
        File.WriteAllBytes(Path.Combine(folder.Path, "weights-0002.bin"), [1, 2, 3]);

        using var c = new Net(3);
        var restored = new Checkpoint(folder.Path);
        var state = restored.Restore(c.Network, c.Optimizer, s_options);
        Assert.Equal(1, state.Epoch);
        Assert.Equal(Flat(a.Network), Flat(c.Network));
        var best = restored.LoadBest(c.Network);
        Assert.NotNull(best);
        using (var _ = torch.no_grad())
        {
            foreach (var (name, value) in c.Network.state_dict())
            {
                value.copy_(best![name]);
                best[name].Dispose();
            }
        }

        Assert.Equal(Flat(a.Network), Flat(c.Network)); // the best of epoch 1, not epoch 2's never-committed best
    }

    [Fact]
    public void Save_KeepsOnlyTheFilesItsStateNames()
    {
        using var folder = TestData.CreateTempFolder();
        using var a = new Net(1);
        var checkpoint = new Checkpoint(folder.Path);
        checkpoint.SaveBest(a.Network, 1);
        checkpoint.Save(a.Network, a.Optimizer, s_options, State(1, 1));
        checkpoint.Save(a.Network, a.Optimizer, s_options, State(2, 1));
        checkpoint.SaveBest(a.Network, 3);
        checkpoint.Save(a.Network, a.Optimizer, s_options, State(3, 3));
        Assert.Equal(["best-0003.bin", "optimizer-0003.bin", "state.json", "weights-0003.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ACheckpointOfTheEarlierLayout_Resumes_AndKeepsItsBestUntilABetterEpoch()
    {
        // The layout before the files were named by epoch: weights.bin, optimizer.bin, best.bin and a state.json without
        // file names. Made here from a new-layout checkpoint by renaming its files and dropping the names.
        using var folder = TestData.CreateTempFolder();
        using var a = new Net(1);
        using var b = new Net(2);
        var writer = new Checkpoint(folder.Path);
        writer.SaveBest(a.Network, 1);
        writer.Save(b.Network, b.Optimizer, s_options, State(2, 1));
        File.Move(Path.Combine(folder.Path, "weights-0002.bin"), Path.Combine(folder.Path, "weights.bin"));
        File.Move(Path.Combine(folder.Path, "optimizer-0002.bin"), Path.Combine(folder.Path, "optimizer.bin"));
        File.Move(Path.Combine(folder.Path, "best-0001.bin"), Path.Combine(folder.Path, "best.bin"));
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "state.json")))!.AsObject();
        state.Remove("WeightsFile");
        state.Remove("OptimizerFile");
        state.Remove("BestFile");
        File.WriteAllText(Path.Combine(folder.Path, "state.json"), state.ToJsonString());

        using var c = new Net(3);
        var resumed = new Checkpoint(folder.Path);
        Assert.Equal(2, resumed.Restore(c.Network, c.Optimizer, s_options).Epoch);
        Assert.Equal(Flat(b.Network), Flat(c.Network));

        // Epoch 3 is not better: the old best.bin stays the best and is what a later resume loads.
        resumed.Save(c.Network, c.Optimizer, s_options, State(3, 1));
        Assert.Equal(["best.bin", "optimizer-0003.bin", "state.json", "weights-0003.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var again = new Checkpoint(folder.Path);
        again.Restore(c.Network, c.Optimizer, s_options);
        var best = again.LoadBest(c.Network)!;
        var bestValues = best.Where(kv => kv.Value.is_floating_point()).SelectMany(kv => kv.Value.to(ScalarType.Float32).data<float>().ToArray()).ToArray();
        Assert.Equal(Flat(a.Network), bestValues);
        foreach (var t in best.Values)
        {
            t.Dispose();
        }
    }
}
