using Headsup.Phantom.Lesions;

namespace Headsup.Phantom;

/// <summary>What <see cref="PhantomGenerator"/> makes. Defaults: one random study of 24–40 slices, 5 mm, 512².</summary>
public sealed record PhantomOptions
{
    /// <summary>Number of studies (one series each).</summary>
    public int Studies { get; init; } = 1;

    /// <summary>Seed: the same seed and options give byte-identical output.</summary>
    public int Seed { get; init; }

    /// <summary>Which hemorrhages to draw.</summary>
    public HemorrhageMode Hemorrhage { get; init; } = HemorrhageMode.Random;

    /// <summary>The subtypes drawn in every study when <see cref="Hemorrhage"/> is <see cref="HemorrhageMode.Specified"/>.</summary>
    public IReadOnlyList<HemorrhageSubtype> Subtypes { get; init; } = [];

    /// <summary>With <see cref="HemorrhageMode.Random"/>, the chance that a study has a hemorrhage.</summary>
    public double PositiveStudyFraction { get; init; } = 0.7;

    /// <summary>Slices per study; null draws 24–40 per study.</summary>
    public int? SliceCount { get; init; }

    /// <summary>Slice thickness and spacing (mm).</summary>
    public double SliceThicknessMm { get; init; } = 5;

    /// <summary>Rows and columns of every image.</summary>
    public int MatrixSize { get; init; } = 512;

    /// <summary>Pixel spacing (mm); null draws 0.45–0.50 mm per study (scaled by 512 / <see cref="MatrixSize"/>).</summary>
    public double? PixelSpacingMm { get; init; }

    /// <summary>Lowest lesion conspicuity (0 = subtle, small and faint).</summary>
    public double MinConspicuity { get; init; }

    /// <summary>Highest lesion conspicuity (1 = obvious, large and dense).</summary>
    public double MaxConspicuity { get; init; } = 1;

    /// <summary>Number Instance Numbers in a random order instead of inferior → superior (tests slice sorting).</summary>
    public bool ShuffleInstanceNumbers { get; init; }

    /// <summary>Write masks/&lt;file&gt;.png beside the DICOM files.</summary>
    public bool WriteMasks { get; init; } = true;

    /// <summary>Allow a head holder to be drawn behind the head (drawn in about 3 of 4 studies).</summary>
    public bool HeadHolder { get; init; } = true;

    /// <summary>A slice is labelled positive for a subtype when its mask has at least this many pixels of it.</summary>
    public int PositiveMinPixels { get; init; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> for inconsistent options.</summary>
    public void Validate()
    {
        if (Studies < 1)
        {
            throw new ArgumentException($"studies must be at least 1, not {Studies}");
        }

        if (SliceCount is < 4 or > 200)
        {
            throw new ArgumentException($"slice count must be 4..200, not {SliceCount}");
        }

        if (!(SliceThicknessMm is >= 0.5 and <= 10))
        {
            throw new ArgumentException($"slice thickness must be 0.5..10 mm, not {SliceThicknessMm}");
        }

        if (MatrixSize is < 64 or > 1024)
        {
            throw new ArgumentException($"matrix size must be 64..1024, not {MatrixSize}");
        }

        if (PixelSpacingMm is { } spacing && !(spacing is > 0.1 and < 5))
        {
            throw new ArgumentException($"pixel spacing must be 0.1..5 mm, not {spacing}");
        }

        if (!(MinConspicuity >= 0 && MaxConspicuity <= 1 && MinConspicuity <= MaxConspicuity))
        {
            throw new ArgumentException($"conspicuity range must lie in 0..1, not {MinConspicuity}..{MaxConspicuity}");
        }

        if (!(PositiveStudyFraction is >= 0 and <= 1))
        {
            throw new ArgumentException($"positive study fraction must be 0..1, not {PositiveStudyFraction}");
        }

        if (PositiveMinPixels < 1)
        {
            throw new ArgumentException($"positive pixel threshold must be at least 1, not {PositiveMinPixels}");
        }

        if (Hemorrhage == HemorrhageMode.Specified && Subtypes.Count == 0)
        {
            throw new ArgumentException("hemorrhage mode Specified needs at least one subtype");
        }
    }

    /// <summary>
    /// Parses the command line's --hemorrhage value: "none", "random", or one or more subtype names separated by commas
    /// ("subdural", "subdural,intraparenchymal"). Returns options with <see cref="Hemorrhage"/> and <see cref="Subtypes"/> set.
    /// </summary>
    public bool TryWithHemorrhage(string text, out PhantomOptions options)
    {
        options = this;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            options = this with { Hemorrhage = HemorrhageMode.None, Subtypes = [] };
            return true;
        }

        if (trimmed.Equals("random", StringComparison.OrdinalIgnoreCase))
        {
            options = this with { Hemorrhage = HemorrhageMode.Random, Subtypes = [] };
            return true;
        }

        var subtypes = new List<HemorrhageSubtype>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!HemorrhageSubtypes.TryParse(part, out var subtype))
            {
                return false;
            }

            if (!subtypes.Contains(subtype))
            {
                subtypes.Add(subtype);
            }
        }

        if (subtypes.Count == 0)
        {
            return false;
        }

        options = this with { Hemorrhage = HemorrhageMode.Specified, Subtypes = subtypes };
        return true;
    }
}
