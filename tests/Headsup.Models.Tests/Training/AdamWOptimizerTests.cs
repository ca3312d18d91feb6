using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Headsup.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// Our AdamW (every Scalar held across its native call; docs/torchsharp-scalars.md) against TorchSharp's
/// <c>optim.AdamW</c>, the port of PyTorch's: same parameter groups, learning rates changed between steps as the
/// trainer's schedule does, weight decay; and a save/load in the middle of a run.
/// </summary>
public sealed class AdamWOptimizerTests
{
    private const int Steps = 6;

    [Fact]
    public void Step_MatchesTorchSharpsAdamW_WithTwoGroupsAndAChangingLearningRate()
    {
        using var ours = Network(seed: 11);
        using var theirs = Network(seed: 11);
        using var oursOptimizer = new AdamWOptimizer(Groups(ours));
        var (backbone, head) = Split(theirs);
        var torchGroups = new List<AdamW.ParamGroup>
        {
            new(backbone, new AdamW.Options { LearningRate = 3e-3, weight_decay = 0.05 }),
            new(head, new AdamW.Options { LearningRate = 1e-2, weight_decay = 0.05 }),
        };
        using var theirsOptimizer = optim.AdamW(torchGroups, 1e-2, weight_decay: 0.05);

        for (int step = 0; step < Steps; step++)
        {
            double factor = 1.0 / (step + 1);
            for (int g = 0; g < 2; g++)
            {
                oursOptimizer.Groups[g].LearningRate = oursOptimizer.Groups[g].InitialLearningRate * factor;
                theirsOptimizer.ParamGroups.ElementAt(g).LearningRate = theirsOptimizer.ParamGroups.ElementAt(g).InitialLearningRate * factor;
            }

            Backward(ours, step);
            oursOptimizer.Step();
            Backward(theirs, step);
            theirsOptimizer.step();
        }

        var a = Flat(ours);
        var b = Flat(theirs);
        Assert.True(TorchTestSetup.MaxAbsDiff(a, b) <= 1e-6f, $"max |ours - TorchSharp's| = {TorchTestSetup.MaxAbsDiff(a, b)}");
        Assert.True(TorchTestSetup.MaxAbsDiff(a, Flat(Network(seed: 11))) > 1e-3f, "the steps moved the weights");
    }

    [Fact]
    public void SaveAndLoad_MidRun_ContinuesExactlyAsAnUninterruptedRun()
    {
        using var uninterrupted = Network(seed: 5);
        using (var optimizer = new AdamWOptimizer(Groups(uninterrupted)))
        {
            for (int step = 0; step < Steps; step++)
            {
                Backward(uninterrupted, step);
                optimizer.Step();
            }
        }

        using var resumed = Network(seed: 5);
        using var directory = Headsup.Testing.TestData.CreateTempFolder();
        string path = Path.Combine(directory.Path, "optimizer.bin");
        using (var first = new AdamWOptimizer(Groups(resumed)))
        {
            for (int step = 0; step < Steps / 2; step++)
            {
                Backward(resumed, step);
                first.Step();
            }

            first.Save(path);
        }

        Assert.False(File.Exists(path + ".partial"));
        using (var second = new AdamWOptimizer(Groups(resumed)))
        {
            second.Load(path);
            for (int step = Steps / 2; step < Steps; step++)
            {
                Backward(resumed, step);
                second.Step();
            }
        }

        Assert.Equal(Flat(uninterrupted), Flat(resumed));
    }

    [Fact]
    public void Load_OfAnotherFileOrShape_IsAModelExceptionNamingTheFile()
    {
        using var directory = Headsup.Testing.TestData.CreateTempFolder();
        string garbage = Path.Combine(directory.Path, "garbage.bin");
        File.WriteAllBytes(garbage, [1, 2, 3]);
        using var network = Network(seed: 1);
        using var optimizer = new AdamWOptimizer(Groups(network));
        var ex = Assert.Throws<ModelException>(() => optimizer.Load(garbage));
        Assert.Contains("garbage.bin", ex.Message, StringComparison.Ordinal);

        string oneGroup = Path.Combine(directory.Path, "one-group.bin");
        using (var single = new AdamWOptimizer([(network.parameters(), 1e-3, 0.0)]))
        {
            single.Save(oneGroup);
        }

        ex = Assert.Throws<ModelException>(() => optimizer.Load(oneGroup));
        Assert.Contains("1 parameter groups", ex.Message, StringComparison.Ordinal);
    }

    private static nn.Module<Tensor, Tensor> Network(long seed)
    {
        TorchTestSetup.Seed(seed);
        return nn.Sequential(
            ("conv", nn.Conv2d(2, 4, 3)),
            ("bn", nn.BatchNorm2d(4)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(4, 2)));
    }

    private static (List<Parameter> Backbone, List<Parameter> Head) Split(nn.Module<Tensor, Tensor> network)
    {
        var named = network.named_parameters().ToList();
        return (named.Where(p => !p.name.StartsWith("fc.", StringComparison.Ordinal)).Select(p => p.parameter).ToList(),
            named.Where(p => p.name.StartsWith("fc.", StringComparison.Ordinal)).Select(p => p.parameter).ToList());
    }

    private static List<(IEnumerable<Parameter>, double, double)> Groups(nn.Module<Tensor, Tensor> network)
    {
        var (backbone, head) = Split(network);
        return [(backbone, 3e-3, 0.05), (head, 1e-2, 0.05)];
    }

    /// <summary>A deterministic batch per step; gradients replace the previous ones (zeroed first).</summary>
    private static void Backward(nn.Module<Tensor, Tensor> network, int step)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(100 + step));
        var x = randn([5, 2, 6, 6], generator: generator);
        var y = randn([5, 2], generator: generator);
        foreach (var p in network.parameters())
        {
            p.grad?.zero_();
        }

        var output = network.forward(x);
        var loss = nn.functional.mse_loss(output, y);
        loss.backward();
    }

    private static float[] Flat(nn.Module<Tensor, Tensor> network) =>
        network.parameters().SelectMany(p => p.detach().cpu().contiguous().data<float>().ToArray()).ToArray();
}
