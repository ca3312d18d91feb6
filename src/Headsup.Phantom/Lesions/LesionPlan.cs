namespace Headsup.Phantom.Lesions;

/// <summary>
/// The drawn parameters of one hemorrhage, in slice millimetre coordinates (see <see cref="Raster.SliceGrid"/>), so the
/// same lesion can be rendered on neighbouring slices with a taper. Made by <see cref="LesionPlanner"/>.
/// </summary>
public sealed record LesionPlan
{
    /// <summary>The subtype.</summary>
    public required HemorrhageSubtype Subtype { get; init; }

    /// <summary>0 = subtle (small, faint) … 1 = obvious (large, dense).</summary>
    public required double Conspicuity { get; init; }

    /// <summary>Density of the blood (HU), 50..90.</summary>
    public required double PeakHu { get; init; }

    /// <summary>Centre (intraparenchymal blob, subarachnoid region) or the centroid the angle is measured from, x (mm).</summary>
    public required double CenterXMm { get; init; }

    /// <summary>Centre y (mm).</summary>
    public required double CenterYMm { get; init; }

    /// <summary>Direction from the centre to the middle of an extra-axial collection (radians, image x→y).</summary>
    public double AngleRad { get; init; }

    /// <summary>Half the angular extent of an extra-axial collection (radians).</summary>
    public double HalfAngleRad { get; init; }

    /// <summary>Radius (blob), maximum thickness (epidural, subdural) or region radius (subarachnoid), mm.</summary>
    public required double SizeMm { get; init; }

    /// <summary>Boundary harmonics (k = 2, 3, 4) of an intraparenchymal blob: relative amplitudes.</summary>
    public IReadOnlyList<double> HarmonicAmplitudes { get; init; } = [];

    /// <summary>Boundary harmonics: phases (radians).</summary>
    public IReadOnlyList<double> HarmonicPhases { get; init; } = [];

    /// <summary>Width of perihematomal edema (mm); 0 for none.</summary>
    public double EdemaMm { get; init; }

    /// <summary>Density of the edema (HU).</summary>
    public double EdemaHu { get; init; }

    /// <summary>Intraventricular: the fluid level (blood lies at y greater than this, i.e. posterior / dependent).</summary>
    public double FluidLevelYMm { get; init; }

    /// <summary>Intraventricular: the most dependent ventricle y (mm) on the planning slice.</summary>
    public double FluidBottomYMm { get; init; }

    /// <summary>Intraventricular: −1 for ventricles left of the centroid in the image, +1 for the right, 0 for both.</summary>
    public int Side { get; init; }

    /// <summary>Seed of the clot's density texture.</summary>
    public int TextureSeed { get; init; }
}
