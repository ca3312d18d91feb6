using System.IO.Compression;

namespace Headsup.Series.Sources;

/// <summary>
/// An open zip archive whose entries have been checked: every entry path stays inside the archive root, and the
/// entry count and declared sizes are within <see cref="ArchiveLimits"/>. Entries are read in memory, never extracted.
/// </summary>
public sealed class ZipSourceArchive : IDisposable
{
    private readonly ZipArchive _archive;
    private readonly TotalCounter _total = new();

    private ZipSourceArchive(string archivePath, ZipArchive archive, IReadOnlyList<ZipEntryDicomSource> sources, ArchiveLimits limits)
    {
        ArchivePath = archivePath;
        _archive = archive;
        Sources = sources;
        Limits = limits;
    }

    /// <summary>The full path of the zip file.</summary>
    public string ArchivePath { get; }

    /// <summary>The file entries (folders left out), ordered by normalised path.</summary>
    public IReadOnlyList<ZipEntryDicomSource> Sources { get; }

    /// <summary>The limits the archive was checked against.</summary>
    public ArchiveLimits Limits { get; }

    /// <summary>Opens and checks a zip file.</summary>
    /// <exception cref="UnsafeArchiveEntryException">An entry path is absolute or climbs out of the root.</exception>
    /// <exception cref="ArchiveLimitException">Too many entries, or an entry or the total declares too many bytes.</exception>
    /// <exception cref="CorruptArchiveException">The file is not a readable zip archive.</exception>
    public static ZipSourceArchive Open(string archivePath, ArchiveLimits? limits = null)
    {
        limits ??= ArchiveLimits.Default;
        var fullPath = Path.GetFullPath(archivePath);
        var archive = OpenZip(fullPath);
        try
        {
            var entries = archive.Entries;
            if (entries.Count > limits.MaxEntries)
            {
                throw new ArchiveLimitException(fullPath, null, $"holds {entries.Count} entries, more than the limit of {limits.MaxEntries}");
            }

            var sources = new List<ZipEntryDicomSource>(entries.Count);
            long declaredTotal = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var normalized = NormalizeEntryName(fullPath, entry.FullName);
                if (normalized is null)
                {
                    continue;
                }

                if (entry.Length > limits.MaxEntryBytes)
                {
                    throw new ArchiveLimitException(fullPath, entry.FullName, $"declares {entry.Length} bytes, more than the per-entry limit of {limits.MaxEntryBytes}");
                }

                declaredTotal += entry.Length;
                if (declaredTotal > limits.MaxTotalBytes)
                {
                    throw new ArchiveLimitException(fullPath, entry.FullName, $"entries declare more than the total limit of {limits.MaxTotalBytes} bytes");
                }

                sources.Add(new ZipEntryDicomSource(fullPath, i, entry.FullName, normalized, entry.Length, limits));
            }

            sources.Sort((a, b) =>
            {
                int byName = string.CompareOrdinal(a.Name, b.Name);
                return byName != 0 ? byName : a.EntryIndex.CompareTo(b.EntryIndex);
            });
            return new ZipSourceArchive(fullPath, archive, sources, limits);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Normalises an entry name to a relative <c>/</c>-separated path; null for folder entries.
    /// </summary>
    /// <exception cref="UnsafeArchiveEntryException">The path is absolute, drive-rooted, or has a <c>..</c> segment.</exception>
    public static string? NormalizeEntryName(string archivePath, string entryName)
    {
        ArgumentNullException.ThrowIfNull(entryName);
        if (entryName.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveEntryException(archivePath, entryName, "the path holds a NUL character");
        }

        var name = entryName.Replace('\\', '/');
        if (name.StartsWith('/'))
        {
            throw new UnsafeArchiveEntryException(archivePath, entryName, "the path is absolute");
        }

        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            throw new UnsafeArchiveEntryException(archivePath, entryName, "the path is rooted at a drive letter");
        }

        var segments = new List<string>();
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                throw new UnsafeArchiveEntryException(archivePath, entryName, "a \"..\" segment would escape the archive root");
            }

            segments.Add(segment);
        }

        return segments.Count == 0 || name.EndsWith('/') ? null : string.Join('/', segments);
    }

    /// <summary>Opens an entry of this archive for reading, counting its bytes against the limits.</summary>
    public Stream OpenEntry(ZipEntryDicomSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!string.Equals(source.ArchivePath, ArchivePath, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{source.Location} does not belong to {ArchivePath}", nameof(source));
        }

        return OpenEntryStream(_archive.Entries[source.EntryIndex], ArchivePath, Limits, _total, owner: null);
    }

    /// <inheritdoc/>
    public void Dispose() => _archive.Dispose();

    internal static ZipArchive OpenZip(string archivePath)
    {
        FileStream? file = null;
        try
        {
            file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException ex)
        {
            file?.Dispose();
            throw new CorruptArchiveException(archivePath, null, "not a readable zip archive: " + ex.Message, ex);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            file?.Dispose();
            throw new CorruptArchiveException(archivePath, null, "could not read the archive: " + ex.Message, ex);
        }
    }

    internal static Stream OpenEntryStream(ZipArchiveEntry entry, string archivePath, ArchiveLimits limits, TotalCounter? totalCounter, IDisposable? owner)
    {
        try
        {
            return new LimitedEntryStream(entry.Open(), archivePath, entry.FullName, limits, totalCounter, owner);
        }
        catch (InvalidDataException ex)
        {
            throw new CorruptArchiveException(archivePath, entry.FullName, "the entry cannot be inflated: " + ex.Message, ex);
        }
    }

    internal sealed class TotalCounter
    {
        public long Bytes { get; set; }
    }

    /// <summary>A read-only view of an entry that stops with <see cref="ArchiveLimitException"/> once a limit is passed.</summary>
    private sealed class LimitedEntryStream : Stream
    {
        private readonly Stream _inner;
        private readonly string _archivePath;
        private readonly string _entryName;
        private readonly ArchiveLimits _limits;
        private readonly TotalCounter? _total;
        private readonly IDisposable? _owner;
        private long _read;

        public LimitedEntryStream(Stream inner, string archivePath, string entryName, ArchiveLimits limits, TotalCounter? total, IDisposable? owner)
        {
            _inner = inner;
            _archivePath = archivePath;
            _entryName = entryName;
            _limits = limits;
            _total = total;
            _owner = owner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            try
            {
                n = _inner.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new CorruptArchiveException(_archivePath, _entryName, "the entry cannot be inflated: " + ex.Message, ex);
            }

            _read += n;
            if (_read > _limits.MaxEntryBytes)
            {
                throw new ArchiveLimitException(_archivePath, _entryName, $"inflates to more than the per-entry limit of {_limits.MaxEntryBytes} bytes");
            }

            if (_total is not null)
            {
                _total.Bytes += n;
                if (_total.Bytes > _limits.MaxTotalBytes)
                {
                    throw new ArchiveLimitException(_archivePath, _entryName, $"entries inflate to more than the total limit of {_limits.MaxTotalBytes} bytes");
                }
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _owner?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
