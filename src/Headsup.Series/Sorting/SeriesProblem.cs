namespace Headsup.Series.Sorting;

/// <summary>What kind of problem the sorter found in a series.</summary>
public enum SeriesProblemKind
{
    /// <summary>Two or more files hold the same SOP Instance UID; one was kept.</summary>
    DuplicateInstance,

    /// <summary>Two or more slices sit at the same position along the normal; one was kept.</summary>
    DuplicatePosition,

    /// <summary>A step between neighbouring slices is larger than the gap factor times the median spacing.</summary>
    Gap,

    /// <summary>Some instances lack Image Position or Orientation (Patient) and were left out of the stack.</summary>
    MissingPosition,

    /// <summary>Positions are missing, so the slices were ordered by Instance Number (a fallback; spacing unknown).</summary>
    SortedByInstanceNumber,

    /// <summary>Instances disagree on Image Orientation (Patient).</summary>
    InconsistentOrientation,

    /// <summary>Instances disagree on Pixel Spacing.</summary>
    InconsistentPixelSpacing,

    /// <summary>Instances disagree on Rows or Columns.</summary>
    InconsistentDimensions,

    /// <summary>The slice normal is not along a patient axis (an oblique or tilted plane).</summary>
    Oblique,

    /// <summary>The slice positions step off the slice normal (gantry tilt or a sheared stack).</summary>
    GantryTilt,

    /// <summary>Instances hold several frames; per-frame positions are not read, so each counts as one slice.</summary>
    MultiFrame,
}

/// <summary>One problem found while sorting a series, with a message that names the values involved.</summary>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Message">What was found, with positions in mm and file names.</param>
/// <param name="Sources">The locations of the instances involved (may be empty).</param>
public sealed record SeriesProblem(SeriesProblemKind Kind, string Message, IReadOnlyList<string> Sources)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Kind}: {Message}";
}
