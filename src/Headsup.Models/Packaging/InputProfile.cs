using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headsup.Models.Packaging;

/// <summary>A closed range of values seen in training.</summary>
/// <param name="Min">Smallest.</param>
/// <param name="Max">Largest.</param>
public sealed record ValueRange(
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max)
{
    /// <summary>True when <paramref name="value"/> lies within the range widened by <paramref name="tolerance"/> (relative).</summary>
    public bool Contains(double value, double tolerance = 0.1) =>
        value >= Min - (tolerance * Math.Abs(Min)) - 1e-9 && value <= Max + (tolerance * Math.Abs(Max)) + 1e-9;

    /// <summary>The range of <paramref name="values"/>, or null when there are none.</summary>
    public static ValueRange? Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.Where(double.IsFinite).ToList();
        return list.Count == 0 ? null : new ValueRange(list.Min(), list.Max());
    }

    /// <inheritdoc />
    public override string ToString() => Min == Max
        ? Min.ToString("0.###", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Min:0.###}–{Max:0.###}");
}

/// <summary>
/// The distribution of the network's pooled last-layer features over the training slices: per-feature mean and
/// standard deviation, and quantiles of the standardised distance (<see cref="InputProfile.Distance"/>) of the training
/// slices themselves, so a new slice's distance can be read against them.
/// </summary>
public sealed record EmbeddingProfile
{
    [JsonPropertyName("mean")]
    public required IReadOnlyList<float> Mean { get; init; }

    [JsonPropertyName("std")]
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>Quantiles of the training slices' own distances: "q50", "q90", "q95", "q99".</summary>
    [JsonPropertyName("distance_quantiles")]
    public required IReadOnlyDictionary<string, double> DistanceQuantiles { get; init; }
}

/// <summary>What the DICOM training series looked like.</summary>
public sealed record DicomProfile
{
    /// <summary>DICOM series (or single-slice sources) seen.</summary>
    [JsonPropertyName("series")]
    public int Series { get; init; }

    [JsonPropertyName("slice_thickness_mm")]
    public ValueRange? SliceThicknessMm { get; init; }

    [JsonPropertyName("pixel_spacing_mm")]
    public ValueRange? PixelSpacingMm { get; init; }

    /// <summary>Field of view: pixel spacing × columns.</summary>
    [JsonPropertyName("field_of_view_mm")]
    public ValueRange? FieldOfViewMm { get; init; }

    /// <summary>Convolution kernels (0018,1210) seen, as written.</summary>
    [JsonPropertyName("kernels")]
    public IReadOnlyList<string> Kernels { get; init; } = [];
}

/// <summary>
/// The training inputs' profile shipped in a package (<c>input-profile.json</c>): what the model has seen, so detect
/// can say when a study is unlike it — its slices' features far from the training slices' (the out-of-distribution
/// score) or its acquisition (slice thickness, pixel spacing, field of view, kernel) outside what training covered.
/// </summary>
public sealed record InputProfile
{
    /// <summary>The file name inside a package.</summary>
    public const string FileName = "input-profile.json";

    /// <summary>The schema identifier.</summary>
    public const string SchemaId = "headsup.input-profile/1";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    [JsonPropertyName("schema")]
    public string Schema { get; init; } = SchemaId;

    /// <summary>The data it was built from, in words (sources and counts; no paths).</summary>
    [JsonPropertyName("built_from")]
    public required string BuiltFrom { get; init; }

    /// <summary>Training slices whose features make up <see cref="Embedding"/>.</summary>
    [JsonPropertyName("slices")]
    public int Slices { get; init; }

    /// <summary>Display images (PNG/JPEG) among them.</summary>
    [JsonPropertyName("display_images")]
    public int DisplayImages { get; init; }

    [JsonPropertyName("embedding")]
    public required EmbeddingProfile Embedding { get; init; }

    [JsonPropertyName("dicom")]
    public DicomProfile? Dicom { get; init; }

    /// <summary>
    /// Standardised distance of pooled features from the training mean: the root mean square over features of
    /// (f − mean) / std (a diagonal Mahalanobis distance divided by √features, so about 1 for a typical training slice).
    /// </summary>
    /// <exception cref="ArgumentException">The feature count differs from the profile's.</exception>
    public double Distance(ReadOnlySpan<float> features)
    {
        var mean = Embedding.Mean;
        var std = Embedding.Std;
        if (features.Length != mean.Count)
        {
            throw new ArgumentException($"{features.Length} features, but the input profile has {mean.Count}", nameof(features));
        }

        double sum = 0;
        for (int i = 0; i < features.Length; i++)
        {
            double z = ((double)features[i] - mean[i]) / Math.Max(std[i], 1e-6f);
            sum += z * z;
        }

        return Math.Sqrt(sum / features.Length);
    }

    /// <summary>Reads a profile file.</summary>
    /// <exception cref="ModelException">The file is not a valid profile.</exception>
    public static InputProfile Read(string path)
    {
        InputProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<InputProfile>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new ModelException(path, "input profile is not valid JSON: " + ex.Message, ex);
        }

        if (profile is null || profile.Schema != SchemaId || profile.Embedding.Mean.Count == 0 || profile.Embedding.Mean.Count != profile.Embedding.Std.Count
            || !profile.Embedding.DistanceQuantiles.ContainsKey("q99"))
        {
            throw new ModelException(path, $"input profile must have schema {SchemaId}, an embedding mean and std of equal length and a q99 distance quantile");
        }

        return profile;
    }

    /// <summary>Writes the profile as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);
}
