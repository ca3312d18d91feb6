using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Headsup.Models.Networks;

/// <summary>
/// Copies ResNet18.onnx's initializers into a <see cref="ResNetTrunk"/> by walking the graph (not by initializer order):
/// stem Conv → BN → Relu → MaxPool, then per residual Add the main path (Conv → BN → Relu → Conv → BN) and the shortcut
/// (identity, or Conv 1×1 → BN), then the final AveragePool. Every op, attribute and shape is checked, so a different
/// graph fails with <see cref="PretrainedWeightsException"/> instead of loading silently wrong weights.
/// </summary>
internal static class OnnxResNetLoader
{
    public static void Load(OnnxModel model, ResNetTrunk trunk)
    {
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in model.Nodes)
        {
            foreach (var output in node.Outputs)
            {
                producers[output] = node;
            }
        }

        var input = model.Inputs.FirstOrDefault(i => !model.Initializers.ContainsKey(i.Name))
            ?? throw Fail(model, "the graph has no data input");
        if (input.Shape.Count != 4 || input.Shape[1] != 3 || input.Shape[2] <= 0 || input.Shape[2] != input.Shape[3])
        {
            throw Fail(model, $"input {input.Name} is {string.Join('×', input.Shape)}, expected N×3×S×S");
        }

        using var noGrad = no_grad();

        // The graph's pads are frozen for its input size; check that CNTK's "same" rule (CntkPadding) gives them all.
        long size = input.Shape[2];

        // Stem.
        var maxPool = Single(model, "MaxPool");
        var stemBn = Producer(model, producers, Producer(model, producers, maxPool.Inputs[0], "Relu").Inputs[0], "BatchNormalization");
        var stemConv = Producer(model, producers, stemBn.Inputs[0], "Conv");
        if (stemConv.Inputs[0] != input.Name)
        {
            throw Fail(model, $"the first Conv reads {stemConv.Inputs[0]}, not the graph input {input.Name}");
        }

        CheckAttributes(model, stemConv, [7, 7], [2, 2], SamePads(ref size, 7, 2));
        CheckAttributes(model, maxPool, [3, 3], [2, 2], SamePads(ref size, 3, 2));
        CopyConv(model, stemConv, trunk.Conv1);
        CopyBn(model, stemBn, trunk.Bn1);

        // Residual blocks, in graph order.
        var adds = model.Nodes.Where(n => n.OpType == "Add").ToList();
        var blocks = trunk.Blocks.ToList();
        if (adds.Count != blocks.Count)
        {
            throw Fail(model, $"{adds.Count} residual Add nodes, the network has {blocks.Count} blocks");
        }

        string expectedInput = maxPool.Outputs[0];
        for (int b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            var add = adds[b];
            bool projection = block.DownsampleConv is not null;
            var bn2 = Producer(model, producers, add.Inputs[0], "BatchNormalization");
            var conv2 = Producer(model, producers, bn2.Inputs[0], "Conv");
            var bn1 = Producer(model, producers, Producer(model, producers, conv2.Inputs[0], "Relu").Inputs[0], "BatchNormalization");
            var conv1 = Producer(model, producers, bn1.Inputs[0], "Conv");
            if (conv1.Inputs[0] != expectedInput)
            {
                throw Fail(model, $"block {b}: main path reads {conv1.Inputs[0]}, expected {expectedInput}");
            }

            long stride = projection && b > 0 ? 2 : 1;
            CheckAttributes(model, conv1, [3, 3], [stride, stride], stride == 2 ? SamePads(ref size, 3, 2) : [1, 1, 1, 1]);
            CheckAttributes(model, conv2, [3, 3], [1, 1], [1, 1, 1, 1]);
            CopyConv(model, conv1, block.Conv1);
            CopyBn(model, bn1, block.Bn1);
            CopyConv(model, conv2, block.Conv2);
            CopyBn(model, bn2, block.Bn2);
            if (projection)
            {
                var shortcutBn = Producer(model, producers, add.Inputs[1], "BatchNormalization");
                var shortcutConv = Producer(model, producers, shortcutBn.Inputs[0], "Conv");
                if (shortcutConv.Inputs[0] != expectedInput)
                {
                    throw Fail(model, $"block {b}: shortcut reads {shortcutConv.Inputs[0]}, expected {expectedInput}");
                }

                CheckAttributes(model, shortcutConv, [1, 1], [2, 2], [0, 0, 0, 0]);
                CopyConv(model, shortcutConv, block.DownsampleConv!);
                CopyBn(model, shortcutBn, block.DownsampleBn!);
            }
            else if (add.Inputs[1] != expectedInput)
            {
                throw Fail(model, $"block {b}: identity shortcut reads {add.Inputs[1]}, expected {expectedInput}");
            }

            var relu = model.Nodes.SingleOrDefault(n => n.OpType == "Relu" && n.Inputs.Count == 1 && n.Inputs[0] == add.Outputs[0])
                ?? throw Fail(model, $"block {b}: no Relu after {add.Name}");
            expectedInput = relu.Outputs[0];
        }

        var pool = Single(model, "AveragePool");
        if (pool.Inputs[0] != expectedInput || model.Outputs.Count != 1 || model.Outputs[0].Name != pool.Outputs[0])
        {
            throw Fail(model, "the graph does not end with an AveragePool of the last block as its only output");
        }

        if (!pool.Ints("kernel_shape", []).SequenceEqual([size, size]) || pool.Ints("pads", [0, 0, 0, 0]).Any(p => p != 0))
        {
            throw Fail(model, $"the AveragePool is not global over the {size}×{size} map");
        }

        if (model.Nodes.Count != 3 + 1 + (blocks.Count * 7) + blocks.Count(x => x.DownsampleConv is not null) * 2 + 1)
        {
            throw Fail(model, $"{model.Nodes.Count} nodes: the graph has nodes this loader does not understand");
        }
    }

    /// <summary>ONNX pads (H begin, W begin, H end, W end) of CNTK "same" padding at a square size; advances the size.</summary>
    private static long[] SamePads(ref long size, int kernel, int stride)
    {
        var (before, after) = CntkPadding.Split(size, kernel, stride);
        size = (size + stride - 1) / stride;
        return [before, before, after, after];
    }

    private static OnnxNode Single(OnnxModel model, string opType)
    {
        var nodes = model.Nodes.Where(n => n.OpType == opType).ToList();
        return nodes.Count == 1 ? nodes[0] : throw Fail(model, $"{nodes.Count} {opType} nodes, expected 1");
    }

    private static OnnxNode Producer(OnnxModel model, Dictionary<string, OnnxNode> producers, string value, string opType)
    {
        if (!producers.TryGetValue(value, out var node) || node.OpType != opType)
        {
            throw Fail(model, $"{value} is not produced by a {opType} node");
        }

        return node;
    }

    private static void CheckAttributes(OnnxModel model, OnnxNode node, long[] kernel, long[] strides, long[] pads)
    {
        bool ok = node.Ints("kernel_shape", []).SequenceEqual(kernel)
            && node.Ints("strides", [1, 1]).SequenceEqual(strides)
            && node.Ints("pads", [0, 0, 0, 0]).SequenceEqual(pads)
            && node.Ints("dilations", [1, 1]).SequenceEqual([1L, 1L])
            && node.Int("group", 1) == 1
            && (!node.Attributes.TryGetValue("auto_pad", out var autoPad) || autoPad.String is "NOTSET" or "");
        if (!ok)
        {
            throw Fail(model, $"{node.Name} ({node.OpType}) has attributes other than kernel {string.Join('×', kernel)}, "
                + $"strides {string.Join(',', strides)}, pads {string.Join(',', pads)}");
        }
    }

    private static void CopyConv(OnnxModel model, OnnxNode node, Conv2d conv)
    {
        if (node.Inputs.Count != 2)
        {
            throw Fail(model, $"{node.Name}: a Conv with bias is not expected");
        }

        Copy(model, node.Inputs[1], conv.weight);
    }

    private static void CopyBn(OnnxModel model, OnnxNode node, BatchNorm2d bn)
    {
        if (node.Inputs.Count != 5 || node.Int("spatial", 1) != 1)
        {
            throw Fail(model, $"{node.Name}: not a spatial BatchNormalization with scale, bias, mean and variance");
        }

        float epsilon = node.Float("epsilon", 1e-5f);
        if (Math.Abs(epsilon - 1e-5) > 1e-9)
        {
            throw Fail(model, $"{node.Name}: epsilon {epsilon}, BatchNorm2d here uses 1e-5");
        }

        Copy(model, node.Inputs[1], bn.weight!);
        Copy(model, node.Inputs[2], bn.bias!);
        Copy(model, node.Inputs[3], bn.running_mean!);
        Copy(model, node.Inputs[4], bn.running_var!);
    }

    private static void Copy(OnnxModel model, string name, Tensor target)
    {
        if (!model.Initializers.TryGetValue(name, out var source))
        {
            throw Fail(model, $"initializer {name} is missing or not float32");
        }

        if (!source.Dims.SequenceEqual(target.shape))
        {
            throw Fail(model, $"initializer {name} is {string.Join('×', source.Dims)}, the network expects {string.Join('×', target.shape)}");
        }

        using var value = tensor(source.Data, [.. source.Dims]);
        target.copy_(value);
    }

    private static PretrainedWeightsException Fail(OnnxModel model, string message) =>
        new($"{model.Path}: not the expected ResNet-18 graph: {message}");
}
