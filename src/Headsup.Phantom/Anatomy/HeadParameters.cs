namespace Headsup.Phantom.Anatomy;

/// <summary>
/// The randomly drawn, plausible anatomy of one phantom head: sizes in millimetres, tissue densities in HU and the scanner
/// noise level. Draw one with <see cref="Sample"/>; every value stays inside adult ranges.
/// </summary>
public sealed record HeadParameters
{
    /// <summary>Half-width (left–right) of the intracranial space at its widest level.</summary>
    public required double IntracranialHalfWidthMm { get; init; }

    /// <summary>Half-length (anterior–posterior) of the intracranial space at its widest level.</summary>
    public required double IntracranialHalfLengthMm { get; init; }

    /// <summary>Skull thickness over the convexity.</summary>
    public required double SkullThicknessMm { get; init; }

    /// <summary>Scalp thickness (skin plus subcutaneous fat).</summary>
    public required double ScalpThicknessMm { get; init; }

    /// <summary>Head centre offset from the image centre (x, patient left).</summary>
    public required double OffsetXMm { get; init; }

    /// <summary>Head centre offset from the image centre (y, patient posterior).</summary>
    public required double OffsetYMm { get; init; }

    /// <summary>In-plane head rotation.</summary>
    public required double RotationRad { get; init; }

    /// <summary>Ventricle size factor (1 = young adult; larger with atrophy).</summary>
    public required double VentricleScale { get; init; }

    /// <summary>Thickness of the CSF rim over the convexity.</summary>
    public required double CsfRimMm { get; init; }

    /// <summary>Half-width of sulci at the surface.</summary>
    public required double SulcusHalfWidthMm { get; init; }

    /// <summary>Gray matter density.</summary>
    public required double GrayMatterHu { get; init; }

    /// <summary>White matter density.</summary>
    public required double WhiteMatterHu { get; init; }

    /// <summary>CSF density.</summary>
    public required double CsfHu { get; init; }

    /// <summary>Cortical bone density.</summary>
    public required double CorticalBoneHu { get; init; }

    /// <summary>Diploe density.</summary>
    public required double DiploeHu { get; init; }

    /// <summary>Skin density.</summary>
    public required double SkinHu { get; init; }

    /// <summary>Subcutaneous fat density.</summary>
    public required double FatHu { get; init; }

    /// <summary>Muscle density.</summary>
    public required double MuscleHu { get; init; }

    /// <summary>Standard deviation of the scanner noise in soft tissue.</summary>
    public required double NoiseStdHu { get; init; }

    /// <summary>Whether a head holder is drawn behind the head.</summary>
    public required bool HasHeadHolder { get; init; }

    /// <summary>Whether the choroid plexus is calcified.</summary>
    public required bool HasChoroidCalcification { get; init; }

    /// <summary>Draws a head.</summary>
    public static HeadParameters Sample(Random random, bool allowHeadHolder = true)
    {
        ArgumentNullException.ThrowIfNull(random);
        double Uniform(double lo, double hi) => lo + ((hi - lo) * random.NextDouble());
        double atrophy = random.NextDouble();
        double gray = Uniform(36, 40);
        return new HeadParameters
        {
            IntracranialHalfWidthMm = Uniform(64, 72),
            IntracranialHalfLengthMm = Uniform(80, 90),
            SkullThicknessMm = Uniform(5, 7.5),
            ScalpThicknessMm = Uniform(4, 6.5),
            OffsetXMm = Uniform(-5, 5),
            OffsetYMm = Uniform(-6, 4),
            RotationRad = Uniform(-6, 6) * Math.PI / 180,
            VentricleScale = 0.85 + (0.6 * atrophy),
            CsfRimMm = 0.8 + (1.8 * atrophy),
            SulcusHalfWidthMm = 0.45 + (0.6 * atrophy),
            GrayMatterHu = gray,
            WhiteMatterHu = gray - Uniform(8, 11),
            CsfHu = Uniform(4, 10),
            CorticalBoneHu = Uniform(1150, 1450),
            DiploeHu = Uniform(450, 700),
            SkinHu = Uniform(30, 50),
            FatHu = Uniform(-110, -90),
            MuscleHu = Uniform(42, 55),
            NoiseStdHu = Uniform(4, 7),
            HasHeadHolder = allowHeadHolder && random.NextDouble() < 0.75,
            HasChoroidCalcification = random.NextDouble() < 0.6,
        };
    }
}
