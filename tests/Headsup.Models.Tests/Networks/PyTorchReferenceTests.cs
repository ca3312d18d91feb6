using System.Runtime.InteropServices;
using System.Text.Json;
using Headsup.Models.Networks;
using Headsup.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

/// <summary>
/// The same weights and inputs through tools/reference/torch_networks.py (Debian python3-torch), an independent
/// PyTorch implementation of each architecture; logits must agree.
/// </summary>
public sealed class PyTorchReferenceTests
{
    [SkippableFact]
    public void Logits_EqualPyTorch_ForEveryArchitecture()
    {
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        var probe = ExternalTool.Run(python, ["-c", "import torch, numpy"]);
        Skip.If(probe.ExitCode != 0, "Debian python3-torch is not installed (apt-get install python3-torch): PyTorch reference test skipped");
        var script = Path.Combine(TestData.RepoRoot, "tools", "reference", "torch_networks.py");
        using var temp = TestData.CreateTempFolder();
        var cases = new List<(string Case, float[] Logits)>();
        (string Architecture, int Channels, int Height, int Width)[] setups =
        [
            (NetworkFactory.SmallCnn, 3, 96, 80),
            (NetworkFactory.SmallCnn, 1, 64, 64),
            (NetworkFactory.ResNet18, 1, 96, 96),
            (NetworkFactory.ResNet34, 3, 64, 72),
            (NetworkFactory.ResNet18ImageNet, 1, 96, 96),
            (NetworkFactory.ResNet18ImageNet, 3, 67, 75),
            (NetworkFactory.ResNet18ImageNet, 2, 64, 64),
        ];
        foreach (var (architecture, channels, height, width) in setups)
        {
            TorchTestSetup.Seed(cases.Count + 100);
            using var net = NetworkFactory.Create(architecture, channels, 3, pretrained: false);
            // Non-trivial BatchNorm statistics and affine parameters, then eval mode.
            NetworkShapeTests.TrainSteps(net, 1);
            using (no_grad())
            {
                foreach (var (name, buffer) in net.named_buffers())
                {
                    if (name.EndsWith("running_var", StringComparison.Ordinal))
                    {
                        buffer.copy_(rand_like(buffer) + 0.5);
                    }
                }
            }

            net.eval();
            using var x = rand(2, channels, height, width);
            var caseName = $"case{cases.Count}";
            Export(net, x, Path.Combine(temp.Path, caseName));
            using (no_grad())
            {
                cases.Add((caseName, net.forward(x).data<float>().ToArray()));
            }
        }

        var run = ExternalTool.Run(python, [script, temp.Path, .. cases.Select(c => c.Case)], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"torch_networks.py failed: {run.Stderr}");
        var report = new List<string>();
        float worstRelative = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var expected = NpyFile.Read(Path.Combine(temp.Path, cases[i].Case + ".logits.npy")).AsFloats();
            float diff = TorchTestSetup.MaxAbsDiff(expected, cases[i].Logits);
            float scale = Math.Max(1, TorchTestSetup.MaxAbs(expected));
            worstRelative = Math.Max(worstRelative, diff / scale);
            report.Add($"{setups[i].Architecture} C={setups[i].Channels} {setups[i].Height}×{setups[i].Width}: max abs diff {diff:E2} (|logit| ≤ {TorchTestSetup.MaxAbs(expected):F2})");
        }

        Console.WriteLine(string.Join(Environment.NewLine, report));
        Assert.True(worstRelative <= 1e-4f, "TorchSharp vs PyTorch, max abs diff / max(1, max |logit|) above 1e-4:" + Environment.NewLine + string.Join(Environment.NewLine, report));
    }

    private static void Export(ClassifierNetwork net, Tensor input, string prefix)
    {
        var tensors = new List<object>();
        using (var weights = File.Create(prefix + ".weights.bin"))
        {
            foreach (var (name, value) in net.state_dict())
            {
                if (value.dtype != ScalarType.Float32)
                {
                    continue;
                }

                tensors.Add(new { name, shape = value.shape });
                weights.Write(MemoryMarshal.AsBytes(value.contiguous().data<float>().ToArray().AsSpan()));
            }
        }

        File.WriteAllBytes(prefix + ".input.bin", MemoryMarshal.AsBytes(input.contiguous().data<float>().ToArray().AsSpan()).ToArray());
        var manifest = new
        {
            architecture = net.Architecture,
            input_channels = net.InputChannels,
            outputs = net.Outputs,
            input_shape = input.shape,
            tensors,
        };
        File.WriteAllText(prefix + ".json", JsonSerializer.Serialize(manifest));
    }
}
