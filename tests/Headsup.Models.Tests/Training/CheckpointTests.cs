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

    private static (ClassifierNetwork Network, AdamWOptimizer Optimizer) Make(int seed)
    {
        torch.manual_seed(seed);
        var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        return (network, new AdamWOptimizer([(network.parameters(), 1e-3, 0.0)]));
    }

    private static float[] Flat(nn.Module network) =>
        network.state_dict().Where(kv => kv.Value.is_floating_point()).SelectMany(kv => kv.Value.to(ScalarType.Float32).data<float>().ToArray()).ToArray();

    private static CheckpointState State(int epoch, int bestEpoch) =>
        new(epoch, 0.5, bestEpoch, [.. Enumerable.Range(1, epoch).Select(e => new EpochRecord(e, 1.0 / e, 0.5, 0.5, 1))]);

    [Fact]
    public void ACrashDuringTheNextSave_LeavesTheLastCheckpointWhole()
    {
        using var folder = TestData.CreateTempFolder();
        var a = Make(1);
        var b = Make(2);
        using var na = a.Network;
        using var oa = a.Optimizer;
        using var nb = b.Network;
        using var ob = b.Optimizer;
        var checkpoint = new Checkpoint(folder.Path);
        checkpoint.SaveBest(na, 1);
        checkpoint.Save(na, oa, s_options, State(1, 1));

        // Epoch 2 is better and its best weights are written; the process dies before its state.json is (and, worse,
        // while its weights file is half written).
        checkpoint.SaveBest(nb, 2);
        File.WriteAllBytes(Path.Combine(folder.Path, "weights-0002.bin"), [1, 2, 3]);

        var c = Make(3);
        using var nc = c.Network;
        using var oc = c.Optimizer;
        var restored = new Checkpoint(folder.Path);
        var state = restored.Restore(nc, oc, s_options);
        Assert.Equal(1, state.Epoch);
        Assert.Equal(Flat(na), Flat(nc));
        var best = restored.LoadBest(nc);
        Assert.NotNull(best);
        using (var _ = torch.no_grad())
        {
            foreach (var (name, value) in nc.state_dict())
            {
                value.copy_(best![name]);
                best[name].Dispose();
            }
        }

        Assert.Equal(Flat(na), Flat(nc)); // the best of epoch 1, not epoch 2's never-committed best
    }

    [Fact]
    public void Save_KeepsOnlyTheFilesItsStateNames()
    {
        using var folder = TestData.CreateTempFolder();
        var a = Make(1);
        using var na = a.Network;
        using var oa = a.Optimizer;
        var checkpoint = new Checkpoint(folder.Path);
        checkpoint.SaveBest(na, 1);
        checkpoint.Save(na, oa, s_options, State(1, 1));
        checkpoint.Save(na, oa, s_options, State(2, 1));
        checkpoint.SaveBest(na, 3);
        checkpoint.Save(na, oa, s_options, State(3, 3));
        Assert.Equal(["best-0003.bin", "optimizer-0003.bin", "state.json", "weights-0003.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ACheckpointOfTheEarlierLayout_Resumes_AndKeepsItsBestUntilABetterEpoch()
    {
        // The layout before the files were named by epoch: weights.bin, optimizer.bin, best.bin and a state.json without
        // file names. Made here from a new-layout checkpoint by renaming its files and dropping the names.
        using var folder = TestData.CreateTempFolder();
        var a = Make(1);
        var b = Make(2);
        using var na = a.Network;
        using var oa = a.Optimizer;
        using var nb = b.Network;
        using var ob = b.Optimizer;
        var writer = new Checkpoint(folder.Path);
        writer.SaveBest(na, 1);
        writer.Save(nb, ob, s_options, State(2, 1));
        File.Move(Path.Combine(folder.Path, "weights-0002.bin"), Path.Combine(folder.Path, "weights.bin"));
        File.Move(Path.Combine(folder.Path, "optimizer-0002.bin"), Path.Combine(folder.Path, "optimizer.bin"));
        File.Move(Path.Combine(folder.Path, "best-0001.bin"), Path.Combine(folder.Path, "best.bin"));
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, "state.json")))!.AsObject();
        state.Remove("WeightsFile");
        state.Remove("OptimizerFile");
        state.Remove("BestFile");
        File.WriteAllText(Path.Combine(folder.Path, "state.json"), state.ToJsonString());

        var c = Make(3);
        using var nc = c.Network;
        using var oc = c.Optimizer;
        var resumed = new Checkpoint(folder.Path);
        Assert.Equal(2, resumed.Restore(nc, oc, s_options).Epoch);
        Assert.Equal(Flat(nb), Flat(nc));

        // Epoch 3 is not better: the old best.bin stays the best and is what a later resume loads.
        resumed.Save(nc, oc, s_options, State(3, 1));
        Assert.Equal(["best.bin", "optimizer-0003.bin", "state.json", "weights-0003.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var again = new Checkpoint(folder.Path);
        again.Restore(nc, oc, s_options);
        var best = again.LoadBest(nc)!;
        var bestValues = best.Where(kv => kv.Value.is_floating_point()).SelectMany(kv => kv.Value.to(ScalarType.Float32).data<float>().ToArray()).ToArray();
        Assert.Equal(Flat(na), bestValues);
        foreach (var t in best.Values)
        {
            t.Dispose();
        }
    }
}
