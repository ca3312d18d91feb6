using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Headsup.Models.Networks;

/// <summary>
/// How the 7×7 stem, the max-pool and the stride-2 3×3 convolutions pad. <see cref="Torch"/>: symmetric, fixed
/// (torchvision: pad 3, 1, 1). <see cref="Cntk"/>: CNTK's "same" padding as frozen into ResNet18.onnx for 224×224 — the
/// output is ceil(size / stride) and the total padding max((out − 1)·stride + kernel − size, 0) is split with the larger
/// half <b>before</b> (7×7/2 conv at 224: 3 before, 2 after; 3×3/2 at even sizes: 1 before, 0 after). This reproduces the
/// graph's pads exactly at 224 and keeps shortcut and main path the same size at any input size (the graph's fixed pads
/// would not at odd sizes). It shifts the sampling grid by one pixel relative to torchvision, so mirroring it is needed
/// to reproduce the ONNX outputs.
/// </summary>
internal enum ResNetPadding
{
    /// <summary>torchvision's symmetric padding.</summary>
    Torch,

    /// <summary>CNTK's asymmetric padding, as in ResNet18.onnx.</summary>
    Cntk,
}

/// <summary>torchvision's BasicBlock (two 3×3 conv-BN, projection shortcut 1×1 conv-BN when the shape changes).</summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly BatchNorm2d _bn1;

    [ComponentName(Name = "conv2")]
    private readonly Conv2d _conv2;

    [ComponentName(Name = "bn2")]
    private readonly BatchNorm2d _bn2;

    [ComponentName(Name = "downsample")]
    private readonly Sequential? _downsample;
    private readonly bool _padBeforeOnly;

    public BasicBlock(long inChannels, long outChannels, long stride, ResNetPadding padding)
        : base(nameof(BasicBlock))
    {
        _padBeforeOnly = padding == ResNetPadding.Cntk && stride != 1;
        _conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: _padBeforeOnly ? 0 : 1, bias: false);
        _bn1 = BatchNorm2d(outChannels);
        _conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        _bn2 = BatchNorm2d(outChannels);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        if (stride != 1 || inChannels != outChannels)
        {
            _downsample = Sequential(("0", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("1", BatchNorm2d(outChannels)));
            register_module("downsample", _downsample);
        }
    }

    public Conv2d Conv1 => _conv1;

    public BatchNorm2d Bn1 => _bn1;

    public Conv2d Conv2 => _conv2;

    public BatchNorm2d Bn2 => _bn2;

    public Conv2d? DownsampleConv => (Conv2d?)_downsample?[0];

    public BatchNorm2d? DownsampleBn => (BatchNorm2d?)_downsample?[1];

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var padded = _padBeforeOnly ? CntkPadding.Same(input, 3, 2) : input;
        var y = functional.relu(BatchNorms.Forward(_bn1, _conv1.forward(padded)));
        y = BatchNorms.Forward(_bn2, _conv2.forward(y));
        var identity = _downsample is null ? input : BatchNorms.Forward(DownsampleBn!, DownsampleConv!.forward(input));
        return y.PlusInPlace(identity).relu_().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The ResNet trunk up to the last convolutional block (no pooling, no fc), with torchvision's module names
/// (conv1, bn1, layer1.0.conv1, …, layer2.0.downsample.0) so state dicts read like torchvision's.
/// </summary>
internal sealed class ResNetTrunk : Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv1")]
    private readonly Conv2d _conv1;

    [ComponentName(Name = "bn1")]
    private readonly BatchNorm2d _bn1;
    private readonly Sequential[] _layers;
    private readonly ResNetPadding _padding;

    public ResNetTrunk(int inputChannels, IReadOnlyList<int> blocksPerStage, ResNetPadding padding)
        : base(nameof(ResNetTrunk))
    {
        _padding = padding;
        _conv1 = Conv2d(inputChannels, 64, 7, stride: 2, padding: padding == ResNetPadding.Cntk ? 0 : 3, bias: false);
        _bn1 = BatchNorm2d(64);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        long[] widths = [64, 128, 256, 512];
        _layers = new Sequential[widths.Length];
        long inChannels = 64;
        for (int stage = 0; stage < widths.Length; stage++)
        {
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocksPerStage[stage]; b++)
            {
                long stride = stage > 0 && b == 0 ? 2 : 1;
                blocks.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), new BasicBlock(inChannels, widths[stage], stride, padding)));
                inChannels = widths[stage];
            }

            _layers[stage] = Sequential(blocks);
            register_module($"layer{stage + 1}", _layers[stage]);
        }
    }

    public Conv2d Conv1 => _conv1;

    public BatchNorm2d Bn1 => _bn1;

    public IEnumerable<BasicBlock> Blocks => _layers.SelectMany(layer => layer.children().Cast<BasicBlock>());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        if (_padding == ResNetPadding.Cntk)
        {
            // At 224: ONNX pads [3, 3, 2, 2] (H begin, W begin, H end, W end), then MaxPool pads [1, 1, 0, 0].
            x = functional.relu(BatchNorms.Forward(_bn1, _conv1.forward(CntkPadding.Same(input, 7, 2))));
            // Padded cells must never win the max.
            x = functional.max_pool2d(CntkPadding.Same(x, 3, 2, double.NegativeInfinity), 3, 2);
        }
        else
        {
            x = functional.relu(BatchNorms.Forward(_bn1, _conv1.forward(input)));
            x = functional.max_pool2d(x, 3, 2, 1);
        }

        foreach (var layer in _layers)
        {
            x = layer.forward(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's initialisation: Kaiming-normal (fan-out, ReLU) convolutions, BN weight 1 and bias 0.</summary>
    public void InitializeWeights() => NetworkInit.KaimingConvOnesBn(this);
}

/// <summary>CNTK's "same" padding (see <see cref="ResNetPadding.Cntk"/>).</summary>
internal static class CntkPadding
{
    /// <summary>Pads N×C×H×W so a kernel/stride convolution or pool gives ceil(size / stride), the larger half before.</summary>
    public static Tensor Same(Tensor input, int kernel, int stride, double value = 0)
    {
        var (top, bottom) = Split(input.shape[2], kernel, stride);
        var (left, right) = Split(input.shape[3], kernel, stride);
        return top == 0 && bottom == 0 && left == 0 && right == 0
            ? input.alias()
            : functional.pad(input, [left, right, top, bottom], value: value);
    }

    public static (long Before, long After) Split(long size, int kernel, int stride)
    {
        long output = (size + stride - 1) / stride;
        long total = Math.Max(((output - 1) * stride) + kernel - size, 0);
        long before = (total + 1) / 2;
        return (before, total - before);
    }
}

/// <summary>Shared weight initialisation.</summary>
internal static class NetworkInit
{
    public static void KaimingConvOnesBn(Module module)
    {
        using var noGrad = no_grad();
        foreach (var m in module.modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    init.ones_(bn.weight);
                    init.zeros_(bn.bias);
                    break;
                default:
                    break;
            }
        }
    }
}
