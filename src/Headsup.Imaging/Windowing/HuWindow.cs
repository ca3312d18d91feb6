using System.Globalization;

namespace Headsup.Imaging.Windowing;

/// <summary>
/// A window in Hounsfield units (centre and width). It maps HU into [0, 1] as (clip(x, c − w/2, c + w/2) − (c − w/2)) / w,
/// the HEADS UP paper's code (not DICOM's LINEAR with its −0.5 offsets); that is the only window function in use.
/// </summary>
public readonly record struct HuWindow
{
    /// <summary>Creates a window; width must be positive.</summary>
    public HuWindow(double centerHu, double widthHu)
    {
        if (!(widthHu > 0) || !double.IsFinite(centerHu) || !double.IsFinite(widthHu))
        {
            throw new ArgumentOutOfRangeException(nameof(widthHu), $"window {centerHu}/{widthHu}: width must be positive and finite");
        }

        CenterHu = centerHu;
        WidthHu = widthHu;
    }

    /// <summary>Brain window 40/80 → [0, 80] HU.</summary>
    public static HuWindow Brain { get; } = new(40, 80);

    /// <summary>Subdural window 80/200 → [−20, 180] HU.</summary>
    public static HuWindow Subdural { get; } = new(80, 200);

    /// <summary>Soft-tissue window 40/380 → [−150, 230] HU.</summary>
    public static HuWindow SoftTissue { get; } = new(40, 380);

    /// <summary>Window centre (level) in HU.</summary>
    public double CenterHu { get; }

    /// <summary>Window width in HU.</summary>
    public double WidthHu { get; }

    /// <summary>Lowest HU shown (maps to 0).</summary>
    public double LowerHu => CenterHu - (WidthHu / 2);

    /// <summary>Highest HU shown (maps to 1).</summary>
    public double UpperHu => CenterHu + (WidthHu / 2);

    /// <summary>Parses "center/width", e.g. "40/80".</summary>
    public static HuWindow Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/', ',');
        if (parts.Length != 2 ||
            !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ||
            !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
        {
            throw new FormatException($"window '{text}' is not center/width, e.g. 40/80");
        }

        return new HuWindow(c, w);
    }

    /// <summary>Maps one HU value.</summary>
    public float Apply(float hu)
    {
        float lo = (float)LowerHu;
        float hi = (float)UpperHu;
        return (Math.Clamp(hu, lo, hi) - lo) / (float)WidthHu;
    }

    /// <summary>
    /// The inverse of <see cref="Apply"/> on [0, 1]: lower + clamp(value, 0, 1) × width. A value of 0 or 1 gives the
    /// bound, since every HU beyond it was clipped there.
    /// </summary>
    public float Unapply(float value) => (float)(LowerHu + (Math.Clamp(value, 0f, 1f) * WidthHu));

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{CenterHu}/{WidthHu}");
}
