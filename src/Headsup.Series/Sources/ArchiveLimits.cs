namespace Headsup.Series.Sources;

/// <summary>
/// Limits applied to zip inputs before and while reading them (guards against zip bombs). Declared sizes are checked
/// up front and actual inflated bytes are counted while reading, so an archive that lies about sizes is still stopped.
/// </summary>
public sealed record ArchiveLimits
{
    /// <summary>Default limits: 100,000 entries, 256 MiB per entry, 16 GiB in all.</summary>
    public static readonly ArchiveLimits Default = new();

    /// <summary>The most entries (files and folders) an archive may hold.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The most bytes one entry may inflate to.</summary>
    public long MaxEntryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The most bytes all entries together may inflate to.</summary>
    public long MaxTotalBytes { get; init; } = 16L * 1024 * 1024 * 1024;
}
