using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Headsup.Models.Networks;

/// <summary>
/// A small fast CNN: six 3×3 conv-BN-ReLU blocks (widths 32, 64, 128, 256, 256, 256; strides 2, 2, 2, 2, 2, 1;
/// receptive field 127 px, output stride 32), about 1.57 M parameters with a linear head. Module names block1.conv,
/// block1.bn, …, block6.bn.
/// </summary>
internal static class SmallCnn
{
    public static readonly IReadOnlyList<(int Width, int Stride)> Blocks = [(32, 2), (64, 2), (128, 2), (256, 2), (256, 2), (256, 1)];

    public static int FeatureChannels => Blocks[^1].Width;

    public static Sequential Create(int inputChannels)
    {
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        long inChannels = inputChannels;
        for (int i = 0; i < Blocks.Count; i++)
        {
            var (width, stride) = Blocks[i];
            blocks.Add(("block" + (i + 1).ToString(CultureInfo.InvariantCulture), Sequential(
                ("conv", Conv2d(inChannels, width, 3, stride: stride, padding: 1, bias: false)),
                ("bn", BatchNorm2d(width)),
                ("relu", ReLU(inplace: true)))));
            inChannels = width;
        }

        var net = Sequential(blocks);
        NetworkInit.KaimingConvOnesBn(net);
        return net;
    }

    /// <summary>The trunk's forward: each block's conv, BatchNorm (through <see cref="BatchNorms"/>, not the module's own
    /// forward) and ReLU; the same result as <c>net.forward</c>.</summary>
    public static Tensor Forward(Sequential net, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(net);
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var block in net.children().Cast<Sequential>())
        {
            x = functional.relu(BatchNorms.Forward((BatchNorm2d)block[1], ((Conv2d)block[0]).forward(x)));
        }

        return x.MoveToOuterDisposeScope();
    }
}
