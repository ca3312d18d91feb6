using System.Globalization;

namespace Headsup.Imaging.Windowing;

/// <summary>Whether <see cref="WindowEstimator"/> could estimate a display image's window, and if not, why.</summary>
public enum WindowEstimateStatus
{
    /// <summary>A window was estimated (see <see cref="EstimatedWindow.Fit"/> for how well it fits).</summary>
    Estimated,

    /// <summary>No pixel is above the head threshold: there is no head to look at.</summary>
    NoHead,

    /// <summary>The head holds too few pixels enclosed by bone (skull base, vertex, or no saturated skull) to fit.</summary>
    NoIntracranialSpace,

    /// <summary>Almost every intracranial pixel is black or white: the window cannot be told from the histogram.</summary>
    Saturated,
}

/// <summary>Which evidence fixed the width of an estimated window.</summary>
public enum WindowEvidence
{
    /// <summary>No window (the estimate failed).</summary>
    None,

    /// <summary>The width and centre come from fitting the intracranial histogram to the reference brain HU histogram.</summary>
    Histogram,

    /// <summary>
    /// The display levels of the brain form a comb (an 8-bit image rendered from integer HU at a window narrower than 256
    /// HU leaves levels empty): the width is the spacing of occupied levels, the centre comes from the histogram fit at
    /// that width. Resampled, smoothed or lossy images lose the comb and fall back to <see cref="Histogram"/>.
    /// </summary>
    QuantisationComb,
}

/// <summary>
/// The window (centre/width in HU) a display image was most likely rendered at, with how well the fit explains its
/// intracranial histogram; <see cref="Status"/> says why there is none.
/// </summary>
public sealed record EstimatedWindow
{
    /// <summary>Creates a result; a window is required exactly when the status is <see cref="WindowEstimateStatus.Estimated"/>.</summary>
    public EstimatedWindow(WindowEstimateStatus status, HuWindow? window, double fit, WindowEvidence evidence, int tissuePixels, double saturatedFraction)
    {
        if ((status == WindowEstimateStatus.Estimated) != window.HasValue)
        {
            throw new ArgumentException($"status {status} with {(window.HasValue ? "a" : "no")} window", nameof(window));
        }

        Status = status;
        Window = window;
        Fit = fit;
        Evidence = evidence;
        TissuePixels = tissuePixels;
        SaturatedFraction = saturatedFraction;
    }

    /// <summary>Estimated, or why not.</summary>
    public WindowEstimateStatus Status { get; }

    /// <summary>The estimated window; null unless <see cref="Status"/> is <see cref="WindowEstimateStatus.Estimated"/>.</summary>
    public HuWindow? Window { get; }

    /// <summary>True when a window was estimated.</summary>
    public bool IsEstimated => Status == WindowEstimateStatus.Estimated;

    /// <summary>Estimated window centre in HU (NaN when not estimated).</summary>
    public double CenterHu => Window?.CenterHu ?? double.NaN;

    /// <summary>Estimated window width in HU (NaN when not estimated).</summary>
    public double WidthHu => Window?.WidthHu ?? double.NaN;

    /// <summary>
    /// Fit quality: the 1-D Wasserstein distance between the observed intracranial display histogram and the one the
    /// reference brain HU distribution gives at the estimated window, as a fraction of the display range (0 = perfect;
    /// typical good fits are below 0.02; above 0.05 the image does not look like brain at any window). NaN when not
    /// estimated.
    /// </summary>
    public double Fit { get; }

    /// <summary>What fixed the width.</summary>
    public WindowEvidence Evidence { get; }

    /// <summary>Intracranial pixels the estimate used.</summary>
    public int TissuePixels { get; }

    /// <summary>Fraction of those pixels at display 0 or 255.</summary>
    public double SaturatedFraction { get; }

    /// <summary>
    /// Display value (0..255) → approximate HU under the estimated window: lower + clamp(v, 0, 255) / 255 × width.
    /// Saturated pixels stay at the window bounds (0 → lower, 255 → upper): what was clipped is not recovered.
    /// </summary>
    /// <exception cref="InvalidOperationException">No window was estimated.</exception>
    public float ToHu(float display) => Require().Unapply(display / 255f);

    /// <summary>Maps a plane of display values (0..255) to approximate HU (see <see cref="ToHu(float)"/>).</summary>
    /// <exception cref="InvalidOperationException">No window was estimated.</exception>
    public void ToHu(ReadOnlySpan<float> display, Span<float> hu)
    {
        if (hu.Length < display.Length)
        {
            throw new ArgumentException("destination is shorter than the input", nameof(hu));
        }

        var window = Require();
        for (int i = 0; i < display.Length; i++)
        {
            hu[i] = window.Unapply(display[i] / 255f);
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsEstimated
        ? string.Create(CultureInfo.InvariantCulture, $"{CenterHu:0.#}/{WidthHu:0.#} (fit {Fit:0.000}, {Evidence}, {TissuePixels} px)")
        : Status.ToString();

    private HuWindow Require() => Window ?? throw new InvalidOperationException($"no window was estimated ({Status})");
}
