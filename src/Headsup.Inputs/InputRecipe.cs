using Headsup.Imaging.Windowing;
using Headsup.Imaging.Recipes;

namespace Headsup.Inputs;

/// <summary>
/// What a model's input channels are, parsed once from its name: the one definition training, evaluation, detect and
/// explain share. <see cref="GrayBrain"/> takes DICOM HU (brain window 40/80) and display PNG/JPEG (value/255) alike;
/// <see cref="BrainPlus"/> adds windows of 0–200 and 0–1000 HU (of HU, or of a display image read as 40/80); the
/// paper's <see cref="E1"/>–<see cref="E4"/> (Imaging's <see cref="RecipeBuilder"/>) and the 2.5D
/// <see cref="Context"/> need HU.
/// </summary>
public sealed class InputRecipe : IEquatable<InputRecipe>
{
    private InputRecipe(string name, int channels, bool needsHu, bool needsNeighbours, RecipeKind? paperKind)
    {
        Name = name;
        Channels = channels;
        NeedsHu = needsHu;
        NeedsNeighbours = needsNeighbours;
        PaperKind = paperKind;
    }

    /// <summary>1 channel: brain window 40/80 of HU, or display/255.</summary>
    public static InputRecipe GrayBrain { get; } = new("gray-brain", 1, needsHu: false, needsNeighbours: false, null);

    /// <summary>
    /// 3 channels: HU windows 0–80 (the brain window), 0–200 and 0–1000 (<see cref="BrainPlusWindows"/>), so that
    /// calcification and bone (&gt; 100 HU) stay apart from blood (50–90 HU), which the brain window saturates alike.
    /// A display image (PNG/JPEG), whose own window has already clipped them, is read as the brain window (value/255 ×
    /// 80 HU) and gives the same three windows of that: every window starts at 0 HU, so inside 0–80 HU the channels are
    /// the same functions of HU for both, and a DICOM slice clipped to 0–80 HU is exactly a display image (up to
    /// rounding). Black (air, padding, the head mask) is 0 in every channel either way (issue 12).
    /// </summary>
    public static InputRecipe BrainPlus { get; } = new("brain-plus", 3, needsHu: false, needsNeighbours: false, null);

    /// <summary>The windows of <see cref="BrainPlus"/>'s channels, each from 0 HU: 0–80 (brain 40/80), 0–200, 0–1000.</summary>
    public static IReadOnlyList<HuWindow> BrainPlusWindows { get; } = [HuWindow.Brain, new HuWindow(100, 200), new HuWindow(500, 1000)];

    /// <summary>The paper's E1: 1 channel, brain window (HU only).</summary>
    public static InputRecipe E1 { get; } = new("e1", 1, needsHu: true, needsNeighbours: false, RecipeKind.E1);

    /// <summary>The paper's E2: brain, subdural, soft-tissue windows (HU only).</summary>
    public static InputRecipe E2 { get; } = new("e2", 3, needsHu: true, needsNeighbours: false, RecipeKind.E2);

    /// <summary>The paper's E3: E2 as bytes (HU only).</summary>
    public static InputRecipe E3 { get; } = new("e3", 3, needsHu: true, needsNeighbours: false, RecipeKind.E3);

    /// <summary>The paper's E4: red-tinted mean-window image (HU only).</summary>
    public static InputRecipe E4 { get; } = new("e4", 3, needsHu: true, needsNeighbours: false, RecipeKind.E4);

    /// <summary>2.5D: brain window of the previous, current and next slice (HU only).</summary>
    public static InputRecipe Context { get; } = new("context", 3, needsHu: true, needsNeighbours: true, null);

    /// <summary>Every model recipe.</summary>
    public static IReadOnlyList<InputRecipe> All { get; } = [GrayBrain, E1, E2, E3, E4, Context, BrainPlus];

    /// <summary>Every recipe name.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(r => r.Name).ToArray();

    /// <summary>The name, as written in model packages and on the command line.</summary>
    public string Name { get; }

    /// <summary>Channels of the input.</summary>
    public int Channels { get; }

    /// <summary>True when the recipe needs Hounsfield units (DICOM); gray-brain and brain-plus accept display images.</summary>
    public bool NeedsHu { get; }

    /// <summary>True when the recipe uses the neighbouring slices.</summary>
    public bool NeedsNeighbours { get; }

    /// <summary>
    /// True when every channel is the 40/80 brain window (gray-brain, context), so that window augmentation can re-map
    /// it; the paper's recipes and brain-plus mix other windows.
    /// </summary>
    public bool BrainWindowOnly => PaperKind is null && this != BrainPlus;

    /// <summary>
    /// True when the recipe has channels beyond the brain window that a display image fills from its own 0–80 HU only
    /// (brain-plus), so that training can show an HU slice as a display image of it would arrive (display dropout).
    /// </summary>
    public bool HasDisplayFallback => this == BrainPlus;

    /// <summary>
    /// For a recipe with a display fallback: channel c of a display image is this factor × channel 0 (80 HU over the
    /// width of channel c's window, which starts at 0 HU); empty for the others.
    /// </summary>
    public IReadOnlyList<float> DisplayChannelScales =>
        HasDisplayFallback ? BrainPlusWindows.Select(w => (float)(HuWindow.Brain.WidthHu / w.WidthHu)).ToArray() : [];

    /// <summary>
    /// For a recipe with a display fallback: the value of each channel at a pixel of bone (<see cref="DisplayBone.BoneHu"/>
    /// through the channel's window), which <see cref="DisplayBone.Derive"/> gives a display image's bone; empty for the others.
    /// </summary>
    public IReadOnlyList<float> DisplayBoneValues =>
        HasDisplayFallback ? BrainPlusWindows.Select(w => w.Apply(DisplayBone.BoneHu)).ToArray() : [];

    /// <summary>The paper's preprocessing recipe this one is built with (e1–e4), or null.</summary>
    public RecipeKind? PaperKind { get; }

    /// <summary>The recipe called <paramref name="name"/> (case and surrounding blanks ignored).</summary>
    /// <exception cref="ArgumentException">No recipe has that name.</exception>
    public static InputRecipe Parse(string name) =>
        TryParse(name, out var recipe) ? recipe : throw new ArgumentException($"recipe '{name}' is not one of {string.Join(", ", Names)}", nameof(name));

    /// <summary>Finds the recipe called <paramref name="name"/>.</summary>
    public static bool TryParse(string? name, out InputRecipe recipe)
    {
        var key = name?.Trim() ?? string.Empty;
        recipe = All.FirstOrDefault(r => r.Name.Equals(key, StringComparison.OrdinalIgnoreCase))!;
        return recipe is not null;
    }

    /// <inheritdoc />
    public bool Equals(InputRecipe? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Name;
}
