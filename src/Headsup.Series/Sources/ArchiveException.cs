namespace Headsup.Series.Sources;

/// <summary>A zip archive was refused. Carries the archive path and, where one is to blame, the entry name.</summary>
public abstract class ArchiveException : SeriesException
{
    /// <summary>Creates the exception.</summary>
    protected ArchiveException(string archive, string? entry, string problem, Exception? inner = null)
        : base(entry is null ? $"{archive}: {problem}" : $"{archive}: entry \"{entry}\": {problem}", inner)
    {
        Archive = archive;
        Entry = entry;
        Problem = problem;
    }

    /// <summary>The zip file.</summary>
    public string Archive { get; }

    /// <summary>The entry name as stored in the archive, when one entry is to blame.</summary>
    public string? Entry { get; }

    /// <summary>The problem, without location.</summary>
    public string Problem { get; }
}

/// <summary>An entry's path escapes the archive root (<c>..</c> segments, absolute or drive-rooted paths).</summary>
public sealed class UnsafeArchiveEntryException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public UnsafeArchiveEntryException(string archive, string entry, string problem)
        : base(archive, entry, problem)
    {
    }
}

/// <summary>The archive exceeds a limit of <see cref="ArchiveLimits"/> (entry count, entry size or total size).</summary>
public sealed class ArchiveLimitException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveLimitException(string archive, string? entry, string problem)
        : base(archive, entry, problem)
    {
    }
}

/// <summary>The zip file is corrupt or cannot be read.</summary>
public sealed class CorruptArchiveException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public CorruptArchiveException(string archive, string? entry, string problem, Exception? inner = null)
        : base(archive, entry, problem, inner)
    {
    }
}
