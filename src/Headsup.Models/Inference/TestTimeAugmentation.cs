namespace Headsup.Models;

/// <summary>What a package's scores average over at inference (model.json <c>test_time_augmentation</c>).</summary>
public enum TestTimeAugmentation
{
    /// <summary>One pass of the input as it is (a package without the field).</summary>
    None,

    /// <summary>
    /// The mean of the logits of the input and of its left–right mirror image (two passes). The networks are trained
    /// with random horizontal flips, so both passes are readings of the same evidence. Measured on the shared data it
    /// did not beat a single reading (docs/generalisation.md, section 2i); it doubles the network time.
    /// </summary>
    HorizontalFlip,
}

/// <summary>Names of <see cref="TestTimeAugmentation"/> as model.json writes them.</summary>
public static class TestTimeAugmentations
{
    /// <summary>model.json's name for <see cref="TestTimeAugmentation.HorizontalFlip"/>.</summary>
    public const string HorizontalFlipName = "horizontal-flip";

    /// <summary>model.json's name for <see cref="TestTimeAugmentation.None"/> (also what an absent field means).</summary>
    public const string NoneName = "none";

    /// <summary>Parses a model.json value: null or "none" is <see cref="TestTimeAugmentation.None"/>.</summary>
    public static bool TryParse(string? name, out TestTimeAugmentation augmentation)
    {
        (bool known, augmentation) = name switch
        {
            null or NoneName => (true, TestTimeAugmentation.None),
            HorizontalFlipName => (true, TestTimeAugmentation.HorizontalFlip),
            _ => (false, TestTimeAugmentation.None),
        };
        return known;
    }

    /// <summary>The model.json value: null for <see cref="TestTimeAugmentation.None"/> (the field is left out).</summary>
    public static string? NameOf(TestTimeAugmentation augmentation) =>
        augmentation == TestTimeAugmentation.HorizontalFlip ? HorizontalFlipName : null;
}
