namespace Headsup.Models.Networks;

/// <summary>Builds the classifier networks by name.</summary>
public static class NetworkFactory
{
    /// <summary>A small fast CNN (~1.6 M parameters), random initialisation.</summary>
    public const string SmallCnn = "small-cnn";

    /// <summary>torchvision-structured ResNet-18, random initialisation.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>torchvision-structured ResNet-34, random initialisation.</summary>
    public const string ResNet34 = "resnet34";

    /// <summary>ResNet-18 mirroring ML.NET's ResNet18.onnx (CNTK padding), ImageNet weights when pretrained.</summary>
    public const string ResNet18ImageNet = "resnet18-imagenet";

    /// <summary>The architectures <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Architectures { get; } = [SmallCnn, ResNet18, ResNet34, ResNet18ImageNet];

    /// <summary>
    /// Creates a classifier. <paramref name="pretrained"/> loads ImageNet weights for "resnet18-imagenet" (from
    /// <paramref name="onnxPath"/> or <see cref="PretrainedWeights.DefaultResNet18OnnxPath"/>); with false the same
    /// architecture is built with random weights (e.g. to load a fine-tuned state dict). Architectures without pretrained
    /// weights ignore the flag. Random initialisation follows torch's global seed (torch.manual_seed).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown architecture or non-positive channel/output counts.</exception>
    /// <exception cref="PretrainedWeightsException">The ONNX file is missing or not the expected graph.</exception>
    /// <exception cref="OnnxFormatException">The ONNX file is malformed.</exception>
    public static ClassifierNetwork Create(string architecture, int inputChannels, int outputs, bool pretrained, string? onnxPath = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        switch (architecture)
        {
            case SmallCnn:
            {
                var net = Networks.SmallCnn.Create(inputChannels);
                return new ClassifierNetwork(architecture, inputChannels, outputs, Networks.SmallCnn.FeatureChannels, false, null, net, x => Networks.SmallCnn.Forward(net, x));
            }

            case ResNet18:
            case ResNet34:
            {
                var trunk = new ResNetTrunk(inputChannels, architecture == ResNet18 ? [2, 2, 2, 2] : [3, 4, 6, 3], ResNetPadding.Torch);
                trunk.InitializeWeights();
                return new ClassifierNetwork(architecture, inputChannels, outputs, 512, false, null, trunk, trunk.forward);
            }

            case ResNet18ImageNet:
            {
                var backbone = pretrained
                    ? ResNet18Backbone.LoadImageNet(onnxPath ?? PretrainedWeights.DefaultResNet18OnnxPath)
                    : new ResNet18Backbone();
                return new ClassifierNetwork(architecture, inputChannels, outputs, ResNet18Backbone.FeatureCount, pretrained, new ImageNetInput(inputChannels), backbone, backbone.Features);
            }

            default:
                throw new ArgumentException($"unknown architecture '{architecture}' (known: {string.Join(", ", Architectures)})", nameof(architecture));
        }
    }

    /// <summary>Whether <paramref name="architecture"/> starts from pretrained (ImageNet) weights.</summary>
    public static bool HasPretrainedWeights(string architecture) => architecture == ResNet18ImageNet;
}
