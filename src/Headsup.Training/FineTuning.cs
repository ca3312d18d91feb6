using System.Globalization;
using Headsup.Models;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>
/// The network choices given on a training command line; null = not given (then the default, or with a parent package
/// the package's own).
/// </summary>
/// <param name="Recipe">Input recipe (--recipe).</param>
/// <param name="Architecture">Network (--arch).</param>
/// <param name="Size">Input size (--size).</param>
/// <param name="LearningRate">Peak learning rate (--lr).</param>
/// <param name="MultiLabel">False when subtypes were switched off (--no-subtypes); null when not said.</param>
public sealed record NetworkChoices(string? Recipe, string? Architecture, int? Size, double? LearningRate, bool? MultiLabel)
{
    /// <summary>Test-time augmentation (--test-time-augmentation); null when not said (then the default, or the parent's).</summary>
    public TestTimeAugmentation? TestTimeAugmentation { get; init; }
}

/// <summary>
/// Fine-tuning: a training run that starts from a model package's weights (<c>headsup train --resume-from</c>) instead
/// of ImageNet or random weights. The run takes the package's recipe, architecture, input size and outputs (its subtype
/// heads are kept), so the new package is a drop-in successor; it learns at <see cref="DefaultLearningRate"/> unless told
/// otherwise, and records the parent (<see cref="ParentModelRecord"/>) in its manifest.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// Peak learning rate of a fine-tuning run when none is given: 1e-4, a tenth of a run from ImageNet weights
    /// (<see cref="TrainingOptions.LearningRate"/>, 1e-3), so a small site set adjusts the parent rather than overwrites
    /// it. As in every run, the backbone learns at <see cref="TrainingOptions.BackboneLearningRateFactor"/> × this
    /// (3e-5), after a one-epoch warm-up and with cosine decay.
    /// </summary>
    public const double DefaultLearningRate = 1e-4;

    /// <summary>
    /// The options of a run: <paramref name="defaults"/> with the <paramref name="given"/> choices, and with a
    /// <paramref name="parent"/> its recipe, architecture, size, head mask and outputs (multi-label when it has subtype heads) and
    /// <see cref="DefaultLearningRate"/> unless a learning rate is given.
    /// </summary>
    /// <exception cref="ArgumentException">A given choice conflicts with the parent package (every conflict is named).</exception>
    public static TrainingOptions Resolve(TrainingOptions defaults, NetworkChoices given, ModelManifest? parent)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(given);
        if (parent is null)
        {
            return defaults with
            {
                Recipe = given.Recipe ?? defaults.Recipe,
                Architecture = given.Architecture ?? defaults.Architecture,
                Size = given.Size ?? defaults.Size,
                LearningRate = given.LearningRate ?? defaults.LearningRate,
                MultiLabel = given.MultiLabel ?? defaults.MultiLabel,
                TestTimeAugmentation = given.TestTimeAugmentation ?? defaults.TestTimeAugmentation,
            };
        }

        bool subtypeHeads = parent.Outputs.Count > 1;
        var conflicts = new List<string>();
        if (given.Recipe is not null && given.Recipe != parent.Input.Recipe)
        {
            conflicts.Add($"--recipe {given.Recipe} (the package takes {parent.Input.Recipe})");
        }

        if (given.Architecture is not null && given.Architecture != parent.Architecture)
        {
            conflicts.Add($"--arch {given.Architecture} (the package is {parent.Architecture})");
        }

        if (given.Size is int size && size != parent.Input.Size)
        {
            conflicts.Add(string.Create(CultureInfo.InvariantCulture, $"--size {size} (the package takes {parent.Input.Size})"));
        }

        if (given.MultiLabel == false && subtypeHeads)
        {
            conflicts.Add("--no-subtypes (the package has subtype heads, which fine-tuning keeps)");
        }

        bool parentMask = parent.Input.Mask == ModelInput.HeadMask;
        if (defaults.HeadMask && !parentMask)
        {
            conflicts.Add("--head-mask (the package's input has no head mask)");
        }

        var parentBone = Headsup.Inputs.DisplayBone.TryParse(parent.Input.DisplayBone, out var bone) ? bone : Headsup.Inputs.DisplayBoneMode.Off;
        if (defaults.DisplayBone != Headsup.Inputs.DisplayBoneMode.Off && defaults.DisplayBone != parentBone)
        {
            conflicts.Add($"display bone {Headsup.Inputs.DisplayBone.NameOf(defaults.DisplayBone)} (the package's input reads display bone as {Headsup.Inputs.DisplayBone.NameOf(parentBone) ?? "none"})");
        }

        if (conflicts.Count > 0)
        {
            throw new ArgumentException($"fine-tuning {parent.Name} {parent.Version} keeps its network and input; these options conflict with it: {string.Join("; ", conflicts)}. Leave them out to take the package's.");
        }

        return defaults with
        {
            Recipe = parent.Input.Recipe,
            Architecture = parent.Architecture,
            Size = parent.Input.Size,
            HeadMask = parentMask,
            DisplayBone = parentBone,
            TestTimeAugmentation = given.TestTimeAugmentation ?? parent.ScoringAugmentation, // scores as its parent did unless told otherwise
            LearningRate = given.LearningRate ?? DefaultLearningRate,
            MultiLabel = subtypeHeads,
        };
    }

    /// <summary>The name a fine-tuned package gets when none is given: the parent's name with "-finetuned".</summary>
    public static string DefaultName(ModelManifest parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return parent.Name + "-finetuned";
    }

    /// <summary>The parent as the child's manifest records it: name, version, weights SHA-256 and its own parent.</summary>
    public static ParentModelRecord Record(ModelManifest parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return new ParentModelRecord { Name = parent.Name, Version = parent.Version, WeightsSha256 = parent.Weights.Sha256, Parent = parent.Training.Parent };
    }

    /// <summary>
    /// A new network of the parent's architecture, channels and outputs holding a copy of its weights (batch-norm
    /// statistics included), to train without touching the parent.
    /// </summary>
    /// <exception cref="ModelException">The parent's network does not match what its manifest says.</exception>
    public static ClassifierNetwork CopyNetwork(ModelPackage parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var manifest = parent.Manifest;
        var network = NetworkFactory.Create(manifest.Architecture, manifest.Input.Channels, manifest.Outputs.Count, pretrained: false);
        try
        {
            using var _ = no_grad();
            var source = parent.Network.state_dict();
            foreach (var (name, value) in network.state_dict())
            {
                if (!source.TryGetValue(name, out var from) || !from.shape.SequenceEqual(value.shape))
                {
                    throw new ModelException(parent.Location, $"the package's network has no tensor {name} of shape {string.Join('×', value.shape)}");
                }

                value.copy_(from);
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }
}
