using Headsup.Models;
using Headsup.Explain;
using Headsup.Series;

namespace Headsup.Triage;

/// <summary>Settings of a triage run.</summary>
public sealed record TriageOptions
{
    /// <summary>Defaults: no explanations, DICOM outputs on, 3 key slices.</summary>
    public static readonly TriageOptions Default = new();

    /// <summary>Explanation of the key slices (null = none).</summary>
    public ExplainMethod? Explain { get; init; }

    /// <summary>Explanation settings (IG steps, batch); the region is always the brain mask of the slice.</summary>
    public ExplainOptions ExplainOptions { get; init; } = ExplainOptions.Default;

    /// <summary>Precision of explanations; null = the scoring precision (bfloat16 where the CPU has it).</summary>
    public InferencePrecision? ExplainPrecision { get; init; }

    /// <summary>Study threshold; null = the model's study operating point.</summary>
    public double? Threshold { get; init; }

    /// <summary>How many key slices to report (and explain).</summary>
    public int KeySlices { get; init; } = 3;

    /// <summary>Slices scored per forward pass.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Slices whose intracranial area is below this fraction of the series' largest are reported but left out of the
    /// study probability and key slices (vertex and skull-base slices: little brain, much bone, many false positives).
    /// </summary>
    public double MinBrainFraction { get; init; } = 0.25;

    /// <summary>Fraction of the brain shown as the heatmap in overlays (the top attributions).</summary>
    public double OverlayTopFraction { get; init; } = 0.3;

    /// <summary>Write overlays and the panel when explaining.</summary>
    public bool WriteImages { get; init; } = true;

    /// <summary>Write the DICOM SR (always) and Secondary Captures (when explaining).</summary>
    public bool WriteDicom { get; init; } = true;

    /// <summary>Scan limits.</summary>
    public ScanOptions Scan { get; init; } = ScanOptions.Default;
}

/// <summary>Progress of a triage run.</summary>
/// <param name="Stage">What is happening ("scan", "score", "explain", "write").</param>
/// <param name="Done">Units done in this stage.</param>
/// <param name="Total">Units in this stage.</param>
/// <param name="Study">Index (1-based) of the study being processed, 0 while scanning.</param>
public sealed record TriageProgress(string Stage, int Done, int Total, int Study);
