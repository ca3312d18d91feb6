namespace Headsup.Inputs;

/// <summary>
/// What the model sees: a recipe and the square size. Recipes: "gray-brain" (1 channel: brain window 40/80 of HU, or
/// display/255), "e1" (1 channel, brain window), "e2"/"e3"/"e4" (3 channels, HU only, Imaging's RecipeBuilder),
/// "context" (3 channels: brain window of previous/current/next slice; HU only).
/// </summary>
/// <param name="Recipe">Recipe name (case-insensitive).</param>
/// <param name="Size">Output side in pixels.</param>
public sealed record InputSpec(string Recipe, int Size)
{
    /// <summary>Gray brain window, works for HU and display images.</summary>
    public const string GrayBrain = "gray-brain";

    /// <summary>2.5D context recipe.</summary>
    public const string Context = "context";

    /// <summary>All recipe names.</summary>
    public static IReadOnlyList<string> Recipes { get; } = [GrayBrain, "e1", "e2", "e3", "e4", Context];

    /// <summary>The default: gray brain window at 224.</summary>
    public static InputSpec Default { get; } = new(GrayBrain, 224);

    /// <summary>True when the recipe needs Hounsfield units (DICOM); only gray-brain accepts display images.</summary>
    public bool NeedsHu => !NormalizedRecipe.Equals(GrayBrain, StringComparison.Ordinal);

    /// <summary>True when the recipe uses the neighbouring slices.</summary>
    public bool NeedsNeighbours => NormalizedRecipe.Equals(Context, StringComparison.Ordinal);

    /// <summary>The recipe in lower case, trimmed.</summary>
    public string NormalizedRecipe => Recipe?.Trim().ToLowerInvariant() ?? string.Empty;

    /// <summary>Throws when the recipe or size is not valid.</summary>
    /// <exception cref="ArgumentException">Unknown recipe or size outside 8..2048.</exception>
    public void Validate()
    {
        if (!Recipes.Contains(NormalizedRecipe))
        {
            throw new ArgumentException($"recipe '{Recipe}' is not one of {string.Join(", ", Recipes)}", nameof(Recipe));
        }

        if (Size is < 8 or > 2048)
        {
            throw new ArgumentException($"size {Size} is outside 8..2048", nameof(Size));
        }
    }
}
