using Headsup.Series.Sources;

namespace Headsup.Series;

/// <summary>Limits for <see cref="StudyScanner"/>. Defaults suit head CT studies of up to a few thousand slices.</summary>
public sealed record ScanOptions
{
    /// <summary>Default options.</summary>
    public static readonly ScanOptions Default = new();

    /// <summary>Limits for zip inputs.</summary>
    public ArchiveLimits Archive { get; init; } = ArchiveLimits.Default;

    /// <summary>Bytes read first when looking for the header; the rest is read only when the header is longer.</summary>
    public int HeaderPrefixBytes { get; init; } = 64 * 1024;

    /// <summary>The longest instance read in full when its header does not fit the prefix (bytes).</summary>
    public long MaxFileBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>The most instances kept; scanning stops with a failure entry past it.</summary>
    public int MaxInstances { get; init; } = 200_000;
}

/// <summary>Progress of a scan, reported after each source.</summary>
/// <param name="SourcesScanned">Sources read so far (files and archive entries).</param>
/// <param name="InputFilesScanned">Files of the input done so far (an archive counts once).</param>
/// <param name="InputFilesTotal">Files found in the input (an archive counts once).</param>
/// <param name="CurrentSource">The name of the source just read.</param>
public sealed record ScanProgress(int SourcesScanned, int InputFilesScanned, int InputFilesTotal, string CurrentSource);
