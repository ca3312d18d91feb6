using Headsup.Imaging.Geometry;
using Headsup.Imaging.Windowing;

namespace Headsup.Imaging.Recipes;

/// <summary>The model-input recipes (the CLI's --recipe values). E1–E4 are the HEADS UP paper's experiments.</summary>
public enum RecipeKind
{
    /// <summary>float32 Hounsfield units, one channel.</summary>
    Hu,

    /// <summary>E1: brain window, gray, float [0,1], one channel.</summary>
    E1,

    /// <summary>E2: R = brain, G = subdural, B = soft tissue windows, float [0,1].</summary>
    E2,

    /// <summary>E3: E2 quantised to uint8.</summary>
    E3,

    /// <summary>E4: mean of the three windows, copied to RGB with red weighted α and green/blue β (a red-tinted gray image).</summary>
    E4,

    /// <summary>2.5D: slices s−1, s, s+1 of the sorted series as channels (brain window, or 3 windows × 3 slices).</summary>
    Context,
}

/// <summary>How E3 turns [0,1] floats into bytes.</summary>
public enum E3Quantization
{
    /// <summary>round(x × 255), half to even (numpy.rint): the correct 8-bit image.</summary>
    Rounded,

    /// <summary>uint8(x) of the [0,1] floats, as the paper's code did: nearly every pixel becomes 0, which explains E3's weak result.</summary>
    PaperTruncation,
}

/// <summary>Which channels the 2.5D context recipe stacks.</summary>
public enum ContextChannels
{
    /// <summary>Brain window of slices s−1, s, s+1 (3 channels).</summary>
    Brain,

    /// <summary>Brain, subdural and soft-tissue windows of slices s−1, s, s+1 (9 channels, slice-major).</summary>
    ThreeWindows,
}

/// <summary>Everything that defines a recipe; training and inference share it so they cannot drift apart.</summary>
public sealed record RecipeOptions
{
    /// <summary>The recipe.</summary>
    public RecipeKind Kind { get; init; } = RecipeKind.E2;

    /// <summary>Brain window (default 40/80).</summary>
    public HuWindow BrainWindow { get; init; } = HuWindow.Brain;

    /// <summary>Subdural window (default 80/200).</summary>
    public HuWindow SubduralWindow { get; init; } = HuWindow.Subdural;

    /// <summary>Soft-tissue window (default 40/380).</summary>
    public HuWindow SoftTissueWindow { get; init; } = HuWindow.SoftTissue;

    /// <summary>E3 quantisation.</summary>
    public E3Quantization E3Mode { get; init; } = E3Quantization.Rounded;

    /// <summary>E4 red weight α (default 1).</summary>
    public float E4RedWeight { get; init; } = 1f;

    /// <summary>E4 green and blue weight β (default 0.5).</summary>
    public float E4GreenBlueWeight { get; init; } = 0.5f;

    /// <summary>Context channels.</summary>
    public ContextChannels ContextChannels { get; init; } = ContextChannels.Brain;

    /// <summary>Output size N (N×N); null keeps the slice's rows × columns (or the crop's size).</summary>
    public int? Size { get; init; }

    /// <summary>Resampling method when resizing.</summary>
    public ResizeMethod ResizeMethod { get; init; } = ResizeMethod.Area;

    /// <summary>Crop to the head (square box) before resizing.</summary>
    public bool CropToHead { get; init; }

    /// <summary>Number of output channels.</summary>
    public int Channels => Kind switch
    {
        RecipeKind.Hu or RecipeKind.E1 => 1,
        RecipeKind.Context => ContextChannels == ContextChannels.Brain ? 3 : 9,
        _ => 3,
    };

    /// <summary>True when the recipe needs neighbouring slices.</summary>
    public bool NeedsNeighbours => Kind == RecipeKind.Context;
}
