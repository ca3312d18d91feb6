using Headsup.Models.Networks;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

/// <summary>
/// <see cref="BatchNorms.Forward"/> (no temporary Scalars) against TorchSharp's own BatchNorm2d.forward: outputs,
/// running statistics and num_batches_tracked after several training steps, then eval mode, for a fixed momentum,
/// the cumulative average (momentum null) and a layer that does not track running statistics.
/// </summary>
public sealed class BatchNormsTests
{
    public static TheoryData<double?, bool> Settings => new() { { 0.1, true }, { null, true }, { 0.1, false } };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Forward_EqualsTheModulesOwn_InTrainingAndEval(double? momentum, bool track)
    {
        TorchTestSetup.Seed(3);
        using var ours = nn.BatchNorm2d(4, track_running_stats: track);
        using var theirs = nn.BatchNorm2d(4, track_running_stats: track);
        ours.momentum = momentum;
        theirs.momentum = momentum;
        using (no_grad())
        {
            ours.weight!.copy_(rand(4).Plus(tensor(0.5f)));
            ours.bias!.copy_(randn(4));
            theirs.weight!.copy_(ours.weight);
            theirs.bias!.copy_(ours.bias);
        }

        ours.train();
        theirs.train();
        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(3, 4, 5, 5).mul(tensor(step + 1f));
            Assert.True(BatchNorms.Forward(ours, x).allclose(theirs.forward(x), rtol: 0, atol: 1e-6));
        }

        if (track)
        {
            Assert.True(ours.running_mean!.allclose(theirs.running_mean!, rtol: 0, atol: 1e-6));
            Assert.True(ours.running_var!.allclose(theirs.running_var!, rtol: 0, atol: 1e-6));
            Assert.Equal(4L, ours.num_batches_tracked!.item<long>());
            Assert.Equal(theirs.num_batches_tracked!.item<long>(), ours.num_batches_tracked!.item<long>());
        }

        ours.eval();
        theirs.eval();
        using var evalScope = NewDisposeScope();
        var y = randn(2, 4, 5, 5);
        Assert.True(BatchNorms.Forward(ours, y).allclose(theirs.forward(y), rtol: 0, atol: 1e-6));
    }
}
