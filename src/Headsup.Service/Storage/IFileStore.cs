namespace Headsup.Service.Storage;

/// <summary>
/// Where instances and results live: a folder shared by every process (local disk in the embedded mode, an NFS/SMB
/// path in scale-out). Keys are relative paths with '/' separators. Writes are atomic: a reader sees a whole file or
/// none. An object store can be added behind this interface.
/// </summary>
public interface IFileStore
{
    /// <summary>Streams <paramref name="source"/> into a new temporary file of the store (bounded by <paramref name="maxBytes"/>).</summary>
    /// <exception cref="StoreFullException">The disk is full (or below the configured free-space floor).</exception>
    /// <exception cref="PartTooLargeException">The source is longer than <paramref name="maxBytes"/>.</exception>
    Task<TempFile> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Moves a received temporary file to <paramref name="key"/> (replacing a file there) atomically.</summary>
    void Commit(TempFile file, string key);

    /// <summary>Opens a stored file for reading; null when it does not exist.</summary>
    Stream? OpenRead(string key);

    /// <summary>A local path for a key (the triage reads files from disk).</summary>
    string LocalPath(string key);

    /// <summary>Deletes a key's file or folder when present.</summary>
    void Delete(string key);

    /// <summary>Free bytes on the store's disk.</summary>
    long FreeBytes();

    /// <summary>A fresh scratch folder inside the store (same disk, so its files can be committed by rename).</summary>
    string NewScratchFolder();
}

/// <summary>A received file not yet committed: its path, size and SHA-256. Disposing deletes it unless committed.</summary>
public sealed class TempFile(string path, long size, string sha256) : IDisposable
{
    /// <summary>Path of the temporary file.</summary>
    public string Path { get; } = path;

    /// <summary>Bytes received.</summary>
    public long Size { get; } = size;

    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    public string Sha256 { get; } = sha256;

    /// <summary>Set when the file was moved into place.</summary>
    public bool Committed { get; internal set; }

    /// <summary>The content in a pooled buffer (its first <see cref="Size"/> bytes) when it was small enough; null otherwise.</summary>
    public byte[]? Content { get; init; }

    /// <summary>Returns the pooled content buffer (once the content has been parsed).</summary>
    public void ReleaseContent()
    {
        if (Content is { } content && !_released)
        {
            _released = true;
            System.Buffers.ArrayPool<byte>.Shared.Return(content);
        }
    }

    private bool _released;

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleaseContent();
        if (!Committed)
        {
            try
            {
                File.Delete(Path);
            }
            catch (IOException)
            {
                // a leftover temporary file is removed by the next start's sweep
            }
        }
    }
}

/// <summary>The store's disk is full or below its free-space floor (answered 507, reason 0xA700).</summary>
public sealed class StoreFullException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>A part or entry is longer than the limit (reason 0xA700).</summary>
public sealed class PartTooLargeException(string message) : IOException(message);
