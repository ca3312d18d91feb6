using Headsup.Deidentification.Keys;

namespace Headsup.Deidentification;

/// <summary>How <see cref="Deidentifier"/> de-identifies.</summary>
public sealed record DeidentificationOptions
{
    /// <summary>
    /// The site key (at least <see cref="DeidentificationKey.MinimumBytes"/> bytes) under which UIDs, patient pseudonyms
    /// and date offsets are computed. The same key gives the same outputs for the same inputs, in any run.
    /// </summary>
    public required byte[] Key { get; init; }

    /// <summary>
    /// Retain Longitudinal Temporal Information With Modified Dates (PS3.15 E.3.6): move every date back by the patient's
    /// offset (1 to <see cref="MaxDateShiftDays"/> days, from the keyed hash of the Patient ID) instead of removing or
    /// replacing it. Times are kept. Off: dates are handled as the Basic Profile says (removed, emptied or dummied).
    /// </summary>
    public bool ShiftDates { get; init; }

    /// <summary>The largest date offset in days (offsets run from 1 to this).</summary>
    public int MaxDateShiftDays { get; init; } = 365;

    /// <summary>Input files larger than this are refused before reading (bytes); each file is read into memory whole.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;
}
