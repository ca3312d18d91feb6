namespace Headsup.Core.IO;

/// <summary>
/// The one way HEADS UP writes files: each file goes to a hidden temporary name in the same folder, is flushed to disk,
/// and is then renamed over its final name, so a reader (or a crash) never sees a half-written file and a failure
/// leaves nothing behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>.</summary>
    /// <exception cref="IOException">The folder or file cannot be written (the temporary file is removed).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = TemporaryName(directory, Path.GetFileName(path), NewToken());
        try
        {
            WriteFlushed(temporary, write);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="content"/>.</summary>
    public static void Write(string path, ReadOnlyMemory<byte> content) => Write(path, s => s.Write(content.Span));

    /// <summary>
    /// Writes a set of files into <paramref name="directory"/> so that none is seen half-written: every file is first
    /// written in full and flushed under a temporary name, and only when all are written are they renamed over their
    /// final names. On failure the temporary files are removed and the exception is rethrown.
    /// </summary>
    /// <returns>The full paths written, in order.</returns>
    /// <exception cref="IOException">A folder of one of the names is in the way, or a file cannot be written.</exception>
    public static IReadOnlyList<string> WriteAll(string directory, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(files);
        Directory.CreateDirectory(directory);

        // A folder in the way of a final name would fail the rename after other files were replaced: refuse up front.
        foreach (var (name, _) in files)
        {
            if (Directory.Exists(Path.Combine(directory, name)))
            {
                throw new IOException($"cannot write {name} in {directory}: a folder of that name exists");
            }
        }

        var token = NewToken();
        var temporary = new List<string>(files.Count);
        try
        {
            foreach (var (name, content) in files)
            {
                var temp = TemporaryName(directory, name, token);
                temporary.Add(temp);
                WriteFlushed(temp, s => s.Write(content));
            }

            var written = new List<string>(files.Count);
            for (var i = 0; i < files.Count; i++)
            {
                var final = Path.Combine(directory, files[i].Name);
                File.Move(temporary[i], final, overwrite: true);
                written.Add(Path.GetFullPath(final));
            }

            return written;
        }
        catch
        {
            foreach (var temp in temporary)
            {
                TryDelete(temp);
            }

            throw;
        }
    }

    private static string NewToken() => Guid.NewGuid().ToString("N")[..8];

    private static string TemporaryName(string directory, string name, string token) => Path.Combine(directory, "." + name + "." + token + ".tmp");

    private static void WriteFlushed(string temporary, Action<Stream> write)
    {
        using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        write(stream);
        stream.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error is the one reported; the temporary name starts with a dot and ends in .tmp.
            _ = e;
        }
    }
}
