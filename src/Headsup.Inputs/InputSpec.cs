namespace Headsup.Inputs;

/// <summary>What the model sees: a typed recipe, the square size in pixels, and whether everything outside the head is zeroed.</summary>
public sealed record InputSpec
{
    /// <summary>Creates the spec.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Size outside 8..2048.</exception>
    public InputSpec(InputRecipe recipe, int size)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (size is < 8 or > 2048)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"size {size} is outside 8..2048");
        }

        Recipe = recipe;
        Size = size;
    }

    /// <summary>Parses the recipe name once.</summary>
    /// <exception cref="ArgumentException">Unknown recipe, or size outside 8..2048.</exception>
    public InputSpec(string recipe, int size)
        : this(InputRecipe.Parse(recipe), size)
    {
    }

    /// <summary>The default: gray brain window at 224.</summary>
    public static InputSpec Default { get; } = new(InputRecipe.GrayBrain, 224);

    /// <summary>The recipe.</summary>
    public InputRecipe Recipe { get; }

    /// <summary>Output side in pixels.</summary>
    public int Size { get; }

    /// <summary>
    /// True when every pixel outside the head (<see cref="InputBuilder.HeadMask"/>) is set to 0 before the crop, so text,
    /// rulers and the table do not reach the network. A package records it as <c>"mask": "head"</c> in its input; absent
    /// means false (every package before issue 12).
    /// </summary>
    public bool HeadMask { get; init; }

    /// <summary>
    /// Which white pixels of a display image that are bone (<see cref="Inputs.DisplayBone"/>) are read as bone rather than
    /// as the top of the display window (brain-plus only). A package records it as <c>"display_bone": "skull"</c> or
    /// <c>"saturated-skull"</c> in its input; absent means <see cref="DisplayBoneMode.Off"/>.
    /// </summary>
    public DisplayBoneMode DisplayBoneMode { get; init; }

    /// <summary>True when <see cref="DisplayBoneMode"/> is not <see cref="DisplayBoneMode.Off"/>.</summary>
    public bool DisplayBone => DisplayBoneMode != DisplayBoneMode.Off;

    /// <summary>Channels of the input.</summary>
    public int Channels => Recipe.Channels;

    /// <summary>True when the recipe needs Hounsfield units (DICOM).</summary>
    public bool NeedsHu => Recipe.NeedsHu;

    /// <summary>True when the recipe uses the neighbouring slices.</summary>
    public bool NeedsNeighbours => Recipe.NeedsNeighbours;

    /// <summary>Values in one input: channels × size × size.</summary>
    public int Length => Channels * Size * Size;
}
