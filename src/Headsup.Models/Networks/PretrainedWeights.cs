namespace Headsup.Models.Networks;

/// <summary>Thrown when a pretrained weights file is missing or does not hold the expected network.</summary>
public sealed class PretrainedWeightsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PretrainedWeightsException()
        : this("pretrained weights are unavailable")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PretrainedWeightsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PretrainedWeightsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Where the pretrained weights live.</summary>
public static class PretrainedWeights
{
    /// <summary>
    /// The ImageNet ResNet-18 ONNX file (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) copied beside the
    /// application by the Headsup.Models build: &lt;AppContext.BaseDirectory&gt;/pretrained/ResNet18.onnx.
    /// </summary>
    public static string DefaultResNet18OnnxPath => Path.Combine(AppContext.BaseDirectory, "pretrained", "ResNet18.onnx");

    /// <summary>Returns <paramref name="path"/> (or the default path) when the file exists; otherwise throws <see cref="PretrainedWeightsException"/>.</summary>
    public static string RequireResNet18Onnx(string? path = null)
    {
        var resolved = path ?? DefaultResNet18OnnxPath;
        if (!File.Exists(resolved))
        {
            throw new PretrainedWeightsException(
                $"ImageNet ResNet-18 weights not found at {resolved}: the Headsup.Models build copies ResNet18.onnx from the NuGet package "
                + "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 to pretrained/ beside the application; rebuild (dotnet build restores it) "
                + "or choose an architecture without -imagenet");
        }

        return resolved;
    }
}
