namespace Headsup.Explain;

/// <summary>Attribution methods for one slice.</summary>
public enum ExplainMethod
{
    /// <summary>Integrated Gradients, black and white baselines averaged, channel maximum.</summary>
    IntegratedGradients,

    /// <summary>XRAI (Kapishnikov et al., ICCV 2019): IG attributions ranked over Felzenszwalb segments, full greedy algorithm.</summary>
    Xrai,

    /// <summary>The fast XRAI variant of the PAIR saliency reference (segments ranked once).</summary>
    XraiFast,

    /// <summary>Grad-CAM on the last convolutional block.</summary>
    GradCam,
}

/// <summary>Settings of an explanation (see Explainer).</summary>
public sealed record ExplainOptions
{
    /// <summary>Default settings (100 IG steps, batches of 8 — faster on CPU than larger batches —, the first output).</summary>
    public static readonly ExplainOptions Default = new();

    /// <summary>Integrated Gradients steps per baseline.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Path points per forward/backward batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>The logit explained (0 = any hemorrhage).</summary>
    public int Output { get; init; }

    /// <summary>
    /// Optional S×S region of the input (row-major, nonzero = inside), e.g. the intracranial mask: attributions, segments
    /// and ranks are restricted to it, and every pixel outside gets the lowest heatmap value.
    /// </summary>
    public byte[]? Region { get; init; }

    /// <summary>
    /// Stops a long explanation (Integrated Gradients and XRAI check it between batches of path points) with an
    /// <see cref="OperationCanceledException"/>; e.g. the service stops a background overlay pass when a study arrives.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>One XRAI region in rank order.</summary>
/// <param name="Rank">1 = most important.</param>
/// <param name="Gain">The mean attribution over the pixels the region added (the value its pixels get in the heatmap).</param>
/// <param name="Pixels">Pixels it added (not covered by regions added before it; ranks sort regions by gain afterwards, so an earlier-added region can rank lower).</param>
public sealed record XraiRegion(int Rank, double Gain, int Pixels);

/// <summary>A heatmap at the network input's resolution.</summary>
/// <param name="Method">How it was made.</param>
/// <param name="Size">S: the heatmap is S×S, row-major.</param>
/// <param name="Heatmap">S×S float32, higher = more important.</param>
/// <param name="Ranks">For XRAI: S×S 1-based rank of the region each pixel was added with (0 = none, e.g. outside the region); null otherwise.</param>
/// <param name="Regions">For XRAI: the regions in rank order; empty otherwise.</param>
/// <param name="Logit">The explained logit at the input.</param>
public sealed record Explanation(ExplainMethod Method, int Size, float[] Heatmap, int[]? Ranks, IReadOnlyList<XraiRegion> Regions, double Logit);
