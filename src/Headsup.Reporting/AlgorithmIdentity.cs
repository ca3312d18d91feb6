namespace Headsup.Reporting;

/// <summary>
/// Identity of the algorithm that produced a triage result. It is written into the Contributing Equipment Sequence
/// (0018,A001) of every output instance and into the SR content tree (TID 4019 style Algorithm Name / Version items).
/// </summary>
/// <param name="Name">Model name, e.g. "headsup-ich"; written as Manufacturer's Model Name and Algorithm Name.</param>
/// <param name="Version">Model version; written as Software Versions and Algorithm Version.</param>
/// <param name="WeightsSha256">SHA-256 of the weights file as 64 hexadecimal digits; written as Device Serial Number.</param>
/// <param name="Manufacturer">Who made the algorithm; written as Manufacturer.</param>
public sealed record AlgorithmIdentity(string Name, string Version, string WeightsSha256, string Manufacturer = "HEADS UP project")
{
    /// <summary>Model name (LO, at most 64 characters).</summary>
    public string Name { get; init; } = DicomText.RequireLongString(Name, nameof(Name));

    /// <summary>Model version (LO, at most 64 characters).</summary>
    public string Version { get; init; } = DicomText.RequireLongString(Version, nameof(Version));

    /// <summary>SHA-256 of the weights, 64 hexadecimal digits (stored lower-case).</summary>
    public string WeightsSha256 { get; init; } = RequireSha256(WeightsSha256);

    /// <summary>Manufacturer (LO, at most 64 characters).</summary>
    public string Manufacturer { get; init; } = DicomText.RequireLongString(Manufacturer, nameof(Manufacturer));

    private static string RequireSha256(string WeightsSha256)
    {
        ArgumentNullException.ThrowIfNull(WeightsSha256);
        if (WeightsSha256.Length != 64 || !WeightsSha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"WeightsSha256 must be 64 hexadecimal digits; got {WeightsSha256.Length} characters \"{WeightsSha256}\"", nameof(WeightsSha256));
        }

        return WeightsSha256.ToLowerInvariant();
    }
}
