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
}
