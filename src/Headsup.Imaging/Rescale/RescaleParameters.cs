using Headsup.Dicom;
using Headsup.Dicom.Pixels;

namespace Headsup.Imaging.Rescale;

/// <summary>
/// How stored values become Hounsfield units for one image: the Modality LUT (slope, intercept) read as decimals,
/// the stored-bit layout, the RSNA 12-bit correction of the HEADS UP paper's code, and padding handling.
/// </summary>
public sealed record RescaleParameters
{
    /// <summary>Hounsfield value used for padding and out-of-field pixels (air).</summary>
    public const float AirHu = -1000f;

    /// <summary>Rescale Slope (0028,1053), default 1.</summary>
    public required decimal Slope { get; init; }

    /// <summary>Rescale Intercept (0028,1052) after any RSNA correction, default 0.</summary>
    public required decimal Intercept { get; init; }

    /// <summary>Bits Stored: higher bits of each sample are masked off.</summary>
    public required int BitsStored { get; init; }

    /// <summary>Bits Allocated (8, 16 or 32).</summary>
    public required int BitsAllocated { get; init; }

    /// <summary>True when samples are two's complement (Pixel Representation 1); sign-extended from Bits Stored.</summary>
    public required bool IsSigned { get; init; }

    /// <summary>
    /// True when the RSNA 12-bit fix applies (BitsStored 12, unsigned, int(intercept) &gt; -100): stored + 1000, values
    /// ≥ 4096 wrap by −4096, intercept becomes −1000 — exactly as the paper's code.
    /// </summary>
    public required bool RsnaCorrection { get; init; }

    /// <summary>Pixel Padding Value (0028,0120), compared with the stored (masked, sign-extended) value.</summary>
    public int? PaddingValue { get; init; }

    /// <summary>Pixel Padding Range Limit (0028,0121): padding is the closed range between it and the padding value.</summary>
    public int? PaddingRangeLimit { get; init; }

    /// <summary>Map padding values to air.</summary>
    public bool MapPaddingToAir { get; init; } = true;

    /// <summary>Values below this HU (e.g. −2048, −3024 out-of-field fill) become air; null disables.</summary>
    public float? OutOfFieldBelowHu { get; init; } = -1500f;

    /// <summary>
    /// True when slope is 1 and intercept an integer small enough (|intercept| ≤ 1,000,000) that integer arithmetic on
    /// stored values is exact and cannot overflow; a corrupt header's absurd intercept takes the floating-point path.
    /// </summary>
    public bool IsIntegral => Slope == 1m && Intercept == decimal.Truncate(Intercept) && Math.Abs(Intercept) <= 1_000_000m;

    /// <summary>Reads the parameters from a CT image's data set.</summary>
    public static RescaleParameters FromDataset(DicomDataset dataset, in PixelDataInfo info, bool applyRsnaCorrection = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        decimal slope = dataset.TryGetDecimal(DicomTags.RescaleSlope, out var s) ? s : 1m;
        decimal intercept = dataset.TryGetDecimal(DicomTags.RescaleIntercept, out var i) ? i : 0m;
        if (slope == 0m)
        {
            throw new DicomAttributeException(dataset.SourceName, DicomTags.RescaleSlope, "Rescale Slope is 0");
        }

        bool signed = info.IsSigned;
        bool rsna = applyRsnaCorrection && info.BitsStored == 12 && !signed && decimal.Truncate(intercept) > -100m;
        int? padding = dataset.TryGetInt32(DicomTags.PixelPaddingValue, out var pv) ? pv : null;
        int? limit = dataset.TryGetInt32(DicomTags.PixelPaddingRangeLimit, out var pl) ? pl : null;
        if (padding is { } p && signed && dataset.TryGetElement(DicomTags.PixelPaddingValue, out var pe) && pe.VR == DicomVR.US)
        {
            // A US padding value in a signed image holds the two's complement bit pattern.
            padding = SignExtend(p, info.BitsAllocated);
        }

        return new RescaleParameters
        {
            Slope = slope,
            Intercept = rsna ? -1000m : intercept,
            BitsStored = info.BitsStored,
            BitsAllocated = info.BitsAllocated,
            IsSigned = signed,
            RsnaCorrection = rsna,
            PaddingValue = padding,
            PaddingRangeLimit = limit,
        };
    }

    private static int SignExtend(int value, int bits)
    {
        int shift = 32 - bits;
        return (value << shift) >> shift;
    }
}
