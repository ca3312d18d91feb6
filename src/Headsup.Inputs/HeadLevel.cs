namespace Headsup.Inputs;

/// <summary>Where in the head an axial slice lies, told by the size of its intracranial cross-section.</summary>
public enum HeadLevel
{
    /// <summary>A small intracranial cross-section: the skull base (posterior fossa, orbits, sinuses) or the vertex.</summary>
    BaseOrVertex,

    /// <summary>A large intracranial cross-section: the levels of the basal ganglia and lateral ventricles.</summary>
    MidHead,
}

/// <summary>
/// Tells mid-head slices from skull-base and vertex slices by the area of the intracranial space
/// (<see cref="BrainMask"/>) in cm², so that a ranking can be read at one level of the head: a model that scores
/// skull-base slices low and mid-head slices high can rank bleeds well over whole studies while ranking them at chance
/// among mid-head slices.
/// <para>The cut, <see cref="MidHeadMinimumCm2"/> = 100 cm², is about two thirds of an adult's largest axial
/// intracranial cross-section (about 140–170 cm², at the lateral ventricles), fixed from anatomy, not fitted to scores.
/// Only slices in HU with a known pixel spacing have a level: a display image's clipped bone and unknown pixel size
/// give no area.</para>
/// </summary>
public static class HeadLevels
{
    /// <summary>Smallest intracranial cross-section (cm²) of a mid-head slice.</summary>
    public const double MidHeadMinimumCm2 = 100;

    /// <summary>The name of a level in reports: "mid-head" or "skull base or vertex".</summary>
    public static string Name(HeadLevel level) => level switch
    {
        HeadLevel.MidHead => "mid-head",
        HeadLevel.BaseOrVertex => "skull base or vertex",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown head level"),
    };

    /// <summary>How a slice's level is told, for reports.</summary>
    public static string Rule { get; } = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mid-head when the DICOM slice's intracranial area (brain mask × pixel spacing²) is ≥ {MidHeadMinimumCm2:0} cm², else skull base or vertex; display images and slices without a pixel spacing have no level");

    /// <summary>The intracranial area of <paramref name="image"/> in cm²; null for a display image or an unknown pixel spacing.</summary>
    public static double? IntracranialAreaCm2(SliceImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Intensity != SliceIntensity.Hu || image.PixelSpacingMm is not (> 0 and var spacing))
        {
            return null;
        }

        return BrainMask.AreaCm2(BrainMask.Compute(image), spacing);
    }

    /// <summary>The level of <paramref name="image"/>; null where <see cref="IntracranialAreaCm2"/> has no area.</summary>
    public static HeadLevel? Of(SliceImage image) =>
        IntracranialAreaCm2(image) is { } area ? area >= MidHeadMinimumCm2 ? HeadLevel.MidHead : HeadLevel.BaseOrVertex : null;
}
