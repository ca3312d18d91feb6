using System.Buffers;
using System.Security.Cryptography;

namespace Headsup.Service.Storage;

/// <summary>
/// The file store on a local or mounted folder. Temporary files are written under tmp/ on the same disk, flushed to
/// disk and renamed into place, so a crash leaves either the whole file or none; tmp/ is swept on start.
/// </summary>
public sealed class LocalFileStore : IFileStore
{
    private const int ENOSPC = 28;
    private readonly string _root;
    private readonly string _tmp;
    private readonly long _minFreeBytes;

    /// <summary>Opens (creating) the store at <paramref name="root"/>; refuses writes when fewer than <paramref name="minFreeBytes"/> are free.</summary>
    public LocalFileStore(string root, long minFreeBytes)
    {
        _root = Path.GetFullPath(root);
        _tmp = Path.Combine(_root, "tmp");
        _minFreeBytes = minFreeBytes;
        Directory.CreateDirectory(_tmp);
    }

    /// <summary>The store's root folder.</summary>
    public string Root => _root;

    /// <summary>Deletes temporary files older than <paramref name="age"/> (left by a process that died mid-write).</summary>
    public int SweepTemporary(TimeSpan age)
    {
        int removed = 0;
        foreach (var entry in new DirectoryInfo(_tmp).EnumerateFileSystemInfos())
        {
            if (DateTime.UtcNow - entry.LastWriteTimeUtc < age)
            {
                continue;
            }

            try
            {
                if (entry is DirectoryInfo d)
                {
                    d.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }

                removed++;
            }
            catch (IOException)
            {
                // in use by another process of a shared store
            }
        }

        return removed;
    }

    /// <summary>Parts up to this size are also kept in a pooled buffer and parsed from memory.</summary>
    public const int InMemoryLimit = 16 * 1024 * 1024;

    /// <inheritdoc/>
    public async Task<TempFile> ReceiveAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (FreeBytes() < _minFreeBytes)
        {
            throw new StoreFullException($"the store has {FreeBytes() / (1024 * 1024)} MB free, below the floor of {_minFreeBytes / (1024 * 1024)} MB");
        }

        var path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".part");
        long size = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // The content is kept in a pooled buffer while it fits (InMemoryLimit) so it can be parsed without reading the
        // file back; a larger part continues through a scratch buffer and is parsed from the file. Writes are
        // synchronous: on Linux "asynchronous" file writes are thread-pool round trips costing more than the copy.
        byte[]? content = ArrayPool<byte>.Shared.Rent(1 << 20);
        byte[]? scratch = null;
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                while (true)
                {
                    if (content is not null && size == content.Length)
                    {
                        if (content.Length >= InMemoryLimit)
                        {
                            // Too big to keep: what is buffered goes to the file, the rest streams through a scratch buffer.
                            file.Write(content, 0, (int)size);
                            ArrayPool<byte>.Shared.Return(content);
                            content = null;
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(content.Length * 2);
                            content.AsSpan(0, (int)size).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(content);
                            content = bigger;
                        }
                    }

                    Memory<byte> buffer = content is not null ? content.AsMemory((int)size) : (scratch ??= ArrayPool<byte>.Shared.Rent(1 << 16));
                    int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    if (size + read > maxBytes)
                    {
                        throw new PartTooLargeException($"longer than the limit of {maxBytes} bytes");
                    }

                    var chunk = buffer.Span[..read];
                    hash.AppendData(chunk);
                    if (content is null)
                    {
                        file.Write(chunk);
                    }

                    size += read;
                }

                if (content is not null)
                {
                    file.Write(content, 0, (int)size);
                }

                file.Flush(flushToDisk: true);
            }

            var result = new TempFile(path, size, Convert.ToHexStringLower(hash.GetHashAndReset())) { Content = content };
            content = null;
            return result;
        }
        catch (Exception ex)
        {
            TryDelete(path);
            if (ex is IOException io && IsDiskFull(io))
            {
                throw new StoreFullException("the store's disk is full", io);
            }

            throw;
        }
        finally
        {
            if (content is not null)
            {
                ArrayPool<byte>.Shared.Return(content);
            }

            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <inheritdoc/>
    public void Commit(TempFile file, string key)
    {
        ArgumentNullException.ThrowIfNull(file);
        var target = LocalPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(file.Path, target, overwrite: true);
        file.Committed = true;
    }

    /// <inheritdoc/>
    public Stream? OpenRead(string key)
    {
        var path = LocalPath(key);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous) : null;
    }

    /// <inheritdoc/>
    public string LocalPath(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var full = Path.GetFullPath(Path.Combine(_root, key));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"store key '{key}' points outside the store", nameof(key));
        }

        return full;
    }

    /// <inheritdoc/>
    public void Delete(string key)
    {
        var path = LocalPath(key);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            TryDelete(path);
        }
    }

    /// <inheritdoc/>
    public long FreeBytes()
    {
        try
        {
            return new DriveInfo(_root).AvailableFreeSpace;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <inheritdoc/>
    public string NewScratchFolder()
    {
        var path = Path.Combine(_tmp, "job-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>True when an I/O error is "no space left on device".</summary>
    public static bool IsDiskFull(IOException exception) =>
        exception is StoreFullException || (exception?.HResult & 0xFFFF) == ENOSPC || exception?.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) == true;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // swept on the next start
        }
    }
}
