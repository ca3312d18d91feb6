using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Headsup.Models.Networks;

/// <summary>
/// The ImageNet ResNet-18 of ML.NET's DnnImageFeaturizer (ResNet18.onnx, exported by CNTK), mirrored node for node:
/// 7×7/2 conv (at 224: pads 3 before, 2 after) → BN → ReLU → 3×3/2 max-pool (pad 1 before) → BasicBlock stages of widths
/// 64, 128, 256, 512 with <b>2, 2, 2, 3</b> blocks (CNTK's "ResNet18" has a third block in the last stage: 22 convs,
/// 15.9 M parameters, not torchvision's 11.2 M) → 7×7 average pool → 512 features. Stride-2 3×3 convs pad 1 before,
/// 0 after (CNTK "same" padding, generalised to any size); shortcuts that change shape are 1×1/2 conv-BN projections (see <see cref="ResNetPadding.Cntk"/>).
/// Convolutions have no bias; BatchNormalization (ε = 1e-5) becomes BatchNorm2d with the file's running statistics,
/// so it can be fine-tuned (torch momentum 0.1; CNTK's 0.988 "momentum" is a different convention and is not used).
/// <para>
/// Input space: the graph has no preprocessing nodes. ML.NET feeds it through ResNetPreprocess.onnx, which takes RGB
/// pixels in 0..255, reorders them to <b>BGR</b> and subtracts a 224×224 mean image (channel means B 103.06, G 115.90,
/// R 123.15); there is no division by a standard deviation. <see cref="forward"/> and <see cref="Features"/> take that
/// space ("ONNX space", BGR, roughly −125..150); <see cref="ToOnnxInput"/> converts RGB in [0, 1] to it using the
/// per-channel means (the mean image varies by a few grey levels across the field; a constant per channel keeps any
/// input size valid).
/// </para>
/// </summary>
public sealed class ResNet18Backbone : Module<Tensor, Tensor>
{
    /// <summary>Channel means of ML.NET's ResNetPreprocess.onnx mean image, in the network's channel order (B, G, R), 0..255 scale.</summary>
    public static readonly IReadOnlyList<float> ChannelMeansBgr = [103.06262f, 115.902885f, 123.15163f];

    /// <summary>BasicBlocks per stage in the ONNX graph.</summary>
    public static readonly IReadOnlyList<int> BlocksPerStage = [2, 2, 2, 3];

    /// <summary>Number of features of the pooled output.</summary>
    public const int FeatureCount = 512;

    // The trunk is not a field: its modules are registered here directly (conv1, bn1, layer1…) so state-dict names
    // match torchvision's, and TorchSharp registers every Module-typed field as a submodule.
    private readonly Func<Tensor, Tensor> _features;

    /// <summary>Creates the network with random (torchvision-style) initialisation; see <see cref="LoadImageNet(string)"/>.</summary>
    public ResNet18Backbone()
        : this(new ResNetTrunk(3, BlocksPerStage, ResNetPadding.Cntk))
    {
    }

    private ResNet18Backbone(ResNetTrunk trunk)
        : base(nameof(ResNet18Backbone))
    {
        trunk.InitializeWeights();
        _features = trunk.forward;
        foreach (var (name, child) in trunk.named_children())
        {
            register_module(name, child);
        }
    }

    /// <summary>Loads ResNet18.onnx (see <see cref="PretrainedWeights.DefaultResNet18OnnxPath"/>).</summary>
    public static ResNet18Backbone LoadImageNet(string onnxPath)
    {
        var model = OnnxReader.Read(PretrainedWeights.RequireResNet18Onnx(onnxPath));
        var trunk = new ResNetTrunk(3, BlocksPerStage, ResNetPadding.Cntk);
        var backbone = new ResNet18Backbone(trunk);
        try
        {
            OnnxResNetLoader.Load(model, trunk);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }

        return backbone;
    }

    /// <summary>Loads ResNet18.onnx from the default location.</summary>
    public static ResNet18Backbone LoadImageNet() => LoadImageNet(PretrainedWeights.DefaultResNet18OnnxPath);

    /// <summary>ONNX-space input N×3×H×W → pooled features N×512 (the ONNX output "Pooling395_Output_0", flattened).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Pool(Features(input)).MoveToOuterDisposeScope();
    }

    /// <summary>ONNX-space input N×3×H×W → last conv block's map N×512×(H/32)×(W/32) (ReLU393_Output_0).</summary>
    public Tensor Features(Tensor input) => _features(input);

    /// <summary>Global average pool of a feature map → N×C (equals the graph's 7×7 AveragePool at 224×224).</summary>
    public static Tensor Pool(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        return featureMap.mean([2, 3]);
    }

    /// <summary>RGB N×3×H×W in [0, 1] → the network's input space: ×255, RGB→BGR, minus <see cref="ChannelMeansBgr"/>.</summary>
    public static Tensor ToOnnxInput(Tensor rgb01)
    {
        ArgumentNullException.ThrowIfNull(rgb01);
        if (rgb01.dim() != 4 || rgb01.shape[1] != 3)
        {
            throw new ArgumentException($"expected N×3×H×W, got {string.Join('×', rgb01.shape)}", nameof(rgb01));
        }

        using var scope = NewDisposeScope();
        var means = tensor(ChannelMeansBgr.ToArray(), [1, 3, 1, 1], dtype: rgb01.dtype, device: rgb01.device);
        return rgb01.flip(1).Times(255.0).sub_(means).MoveToOuterDisposeScope();
    }
}
