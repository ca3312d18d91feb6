using Headsup.Imaging.Recipes;

namespace Headsup.Inputs.Preprocessing;

/// <summary>The file format <see cref="Preprocessor"/> writes.</summary>
public enum PreprocessFormat
{
    /// <summary>NumPy .npy: float32 (uint8 for E3), H×W for one channel, H×W×C otherwise.</summary>
    Npy,

    /// <summary>8-bit PNG: gray for one channel, RGB for three; [0,1] floats become round(x × 255).</summary>
    Png,
}

/// <summary>
/// What one preprocess run does: every CT image under <see cref="Input"/> (a DICOM file, a folder searched recursively,
/// or a zip archive) becomes <see cref="OutputFolder"/>/&lt;path relative to the input&gt;[.frameK].npy|png.
/// </summary>
public sealed record PreprocessOptions
{
    /// <summary>Creates the options.</summary>
    /// <exception cref="ArgumentException">
    /// A path is empty, the recipe is invalid (e.g. its size), or <paramref name="format"/> cannot hold it (see <see cref="Supports"/>).
    /// </exception>
    public PreprocessOptions(string input, string outputFolder, RecipeOptions recipe, PreprocessFormat format = PreprocessFormat.Npy)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        ArgumentNullException.ThrowIfNull(recipe);
        _ = new RecipeBuilder(recipe); // validates the recipe now rather than on the converting threads
        if (!Supports(format, recipe))
        {
            throw new ArgumentException($"{format} cannot hold recipe {recipe.Kind} ({recipe.Channels} channel(s))", nameof(format));
        }

        Input = input;
        OutputFolder = outputFolder;
        Recipe = recipe;
        Format = format;
    }

    /// <summary>A DICOM file, a folder (searched recursively) or a zip archive.</summary>
    public string Input { get; }

    /// <summary>The folder that receives the outputs (created when missing).</summary>
    public string OutputFolder { get; }

    /// <summary>The recipe every image is converted with.</summary>
    public RecipeOptions Recipe { get; }

    /// <summary>The output format.</summary>
    public PreprocessFormat Format { get; }

    /// <summary>Apply the HEADS UP paper's RSNA 12-bit correction (default true).</summary>
    public bool ApplyRsnaCorrection { get; init; } = true;

    /// <summary>Images converted at once, each on its own thread with its own buffers (default: one per processor).</summary>
    public int MaxDegreeOfParallelism
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least one thread");
    } = Environment.ProcessorCount;

    /// <summary>
    /// Whether <paramref name="format"/> can hold <paramref name="recipe"/>'s output: npy holds every recipe; PNG holds
    /// only windowed recipes of one or three channels (not HU, not the 9-channel context).
    /// </summary>
    public static bool Supports(PreprocessFormat format, RecipeOptions recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return format == PreprocessFormat.Npy || (recipe.Kind != RecipeKind.Hu && recipe.Channels <= 3);
    }
}
