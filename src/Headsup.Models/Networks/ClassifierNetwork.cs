using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Headsup.Models.Networks;

/// <summary>
/// A classifier: input adapter → backbone (up to the last conv block) → head (global average pool → linear).
/// Input N×C×H×W float in [0, 1], any H, W ≥ 64; output logits N×<see cref="Outputs"/>.
/// forward(x) == <see cref="Head"/>(<see cref="FeatureMap"/>(x)), so Grad-CAM can hook the feature map.
/// State-dict names: input.* (only for a learned channel mixer), backbone.*, head.weight, head.bias.
/// Build with <see cref="NetworkFactory.Create"/>.
/// </summary>
public sealed class ClassifierNetwork : Module<Tensor, Tensor>
{
    [ComponentName(Name = "input")]
    private readonly Module<Tensor, Tensor>? _input;

    [ComponentName(Name = "backbone")]
    private readonly Module<Tensor, Tensor> _backbone;
    private readonly Func<Tensor, Tensor> _featureMap;

    [ComponentName(Name = "head")]
    private readonly Linear _head;

    internal ClassifierNetwork(
        string architecture,
        int inputChannels,
        int outputs,
        int featureChannels,
        bool isPretrained,
        Module<Tensor, Tensor>? input,
        Module<Tensor, Tensor> backbone,
        Func<Tensor, Tensor> featureMap)
        : base(nameof(ClassifierNetwork))
    {
        Architecture = architecture;
        InputChannels = inputChannels;
        Outputs = outputs;
        FeatureChannels = featureChannels;
        IsPretrained = isPretrained;
        _input = input;
        _backbone = backbone;
        _featureMap = featureMap;
        _head = Linear(featureChannels, outputs);
        if (_input is not null)
        {
            register_module("input", _input);
        }

        register_module("backbone", _backbone);
        register_module("head", _head);
        var inputNames = _input is null ? [] : _input.named_parameters().Select(p => "input." + p.name);
        HeadParameterNames = [.. inputNames, .. _head.named_parameters().Select(p => "head." + p.name)];
        BackboneParameterNames = [.. _backbone.named_parameters().Select(p => "backbone." + p.name)];
    }

    /// <summary>The factory name, e.g. "resnet18-imagenet".</summary>
    public string Architecture { get; }

    /// <summary>Channels the network takes.</summary>
    public int InputChannels { get; }

    /// <summary>Logits per image.</summary>
    public int Outputs { get; }

    /// <summary>Channels of <see cref="FeatureMap"/>.</summary>
    public int FeatureChannels { get; }

    /// <summary>Whether the backbone was loaded with pretrained (ImageNet) weights.</summary>
    public bool IsPretrained { get; }

    /// <summary>
    /// Names (as in named_parameters) of the new layers: the linear head and, when present, the learned input channel mixer.
    /// Give these the full learning rate.
    /// </summary>
    public IReadOnlyList<string> HeadParameterNames { get; }

    /// <summary>Names (as in named_parameters) of the backbone's parameters (pretrained when <see cref="IsPretrained"/>).</summary>
    public IReadOnlyList<string> BackboneParameterNames { get; }

    /// <summary>Parameters named in <see cref="HeadParameterNames"/>.</summary>
    public IEnumerable<Parameter> HeadParameters() => Select(HeadParameterNames);

    /// <summary>Parameters named in <see cref="BackboneParameterNames"/>.</summary>
    public IEnumerable<Parameter> BackboneParameters() => Select(BackboneParameterNames);

    /// <summary>Logits N×Outputs.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Head(FeatureMap(input)).MoveToOuterDisposeScope();
    }

    /// <summary>The last convolutional block's output, N×<see cref="FeatureChannels"/>×h×w (h = H/32 for every architecture here).</summary>
    public Tensor FeatureMap(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != InputChannels)
        {
            throw new ArgumentException($"{Architecture} expects N×{InputChannels}×H×W, got {string.Join('×', input.shape)}", nameof(input));
        }

        if (input.shape[2] < 64 || input.shape[3] < 64)
        {
            throw new ArgumentException($"{Architecture} needs images of at least 64×64, got {input.shape[2]}×{input.shape[3]}", nameof(input));
        }

        using var scope = NewDisposeScope();
        var x = _input is null ? input : _input.forward(input);
        return _featureMap(x).MoveToOuterDisposeScope();
    }

    /// <summary>Global average pool → linear: N×C×h×w → logits N×Outputs.</summary>
    public Tensor Head(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        using var scope = NewDisposeScope();
        return _head.forward(featureMap.mean([2, 3])).MoveToOuterDisposeScope();
    }

    private List<Parameter> Select(IReadOnlyList<string> names)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        return named_parameters().Where(p => wanted.Contains(p.name)).Select(p => p.parameter).ToList();
    }
}

/// <summary>
/// Maps [0, 1] input with any channel count to ResNet18.onnx's input space: 1 channel is repeated to 3 (grey);
/// 3 channels are taken as RGB; other counts pass through a learned 1×1 convolution to 3 channels, initialised to the
/// channel average (grey). Then ×255, RGB→BGR, minus the ImageNet BGR channel means (see <see cref="ResNet18Backbone"/>).
/// </summary>
internal sealed class ImageNetInput : Module<Tensor, Tensor>
{
    private readonly int _channels;

    [ComponentName(Name = "mix")]
    private readonly Conv2d? _mix;

    public ImageNetInput(int channels)
        : base(nameof(ImageNetInput))
    {
        _channels = channels;
        if (channels is not 1 and not 3)
        {
            _mix = Conv2d(channels, 3, 1, bias: false);
            using (no_grad())
            {
                _mix.weight.FillWith(1.0 / channels);
            }

            register_module("mix", _mix);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var rgb = _channels switch
        {
            1 => input.expand(-1, 3, -1, -1),
            3 => input,
            _ => _mix!.forward(input),
        };
        return ResNet18Backbone.ToOnnxInput(rgb).MoveToOuterDisposeScope();
    }
}
