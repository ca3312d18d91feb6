using System.IO.Compression;

namespace Headsup.Series.Sources;

/// <summary>
/// A DICOM candidate stored as an entry of a zip archive. Opening it re-opens the archive, checks the entry is still
/// the one that was scanned, and inflates it in memory within <see cref="ArchiveLimits.MaxEntryBytes"/>; nothing is
/// extracted to disk.
/// </summary>
public sealed class ZipEntryDicomSource : DicomSource
{
    internal ZipEntryDicomSource(string archivePath, int entryIndex, string entryName, string normalizedName, long declaredLength, ArchiveLimits limits)
        : base(normalizedName, archivePath + "!" + normalizedName)
    {
        ArchivePath = archivePath;
        EntryIndex = entryIndex;
        EntryName = entryName;
        DeclaredLength = declaredLength;
        Limits = limits;
    }

    /// <summary>The full path of the zip file.</summary>
    public string ArchivePath { get; }

    /// <summary>The entry name exactly as stored in the archive.</summary>
    public string EntryName { get; }

    /// <summary>The position of the entry in the archive's central directory.</summary>
    public int EntryIndex { get; }

    /// <inheritdoc/>
    public override long? DeclaredLength { get; }

    internal ArchiveLimits Limits { get; }

    /// <inheritdoc/>
    public override Stream OpenRead()
    {
        ZipArchive? archive = null;
        try
        {
            archive = ZipSourceArchive.OpenZip(ArchivePath);
            if (EntryIndex >= archive.Entries.Count || archive.Entries[EntryIndex].FullName != EntryName)
            {
                throw new CorruptArchiveException(ArchivePath, EntryName, "the archive changed since it was scanned: entry not found at its index");
            }

            var stream = ZipSourceArchive.OpenEntryStream(archive.Entries[EntryIndex], ArchivePath, Limits, totalCounter: null, owner: archive);
            archive = null;
            return stream;
        }
        finally
        {
            archive?.Dispose();
        }
    }
}
