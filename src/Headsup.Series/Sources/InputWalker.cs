namespace Headsup.Series.Sources;

/// <summary>One file found under the input: a candidate DICOM file or a zip archive to open.</summary>
/// <param name="FullPath">The full path on disk (through any symbolic links, as found).</param>
/// <param name="Name">The path relative to the input folder with <c>/</c> separators (the file name for a single file).</param>
/// <param name="IsArchive">True for zip archives.</param>
public sealed record InputFile(string FullPath, string Name, bool IsArchive);

/// <summary>What a walk found: the files, plus entries skipped on purpose and entries that cannot be used.</summary>
/// <param name="Files">The files, in ordinal order of <see cref="InputFile.Name"/>.</param>
/// <param name="Skipped">Symbolic links not followed (a loop of links, a link to an enclosing folder, or a folder or file already walked), with the reason.</param>
/// <param name="Failures">Dangling symbolic links and folders that cannot be listed below the input, with the reason.</param>
public sealed record InputListing(IReadOnlyList<InputFile> Files, IReadOnlyList<ScanFailure> Skipped, IReadOnlyList<ScanFailure> Failures);

/// <summary>
/// Lists the files of an input: a single file, or a folder walked recursively in ordinal order of relative path. This
/// is the one folder walker: every command that takes a folder of DICOM (or of images) uses it.
/// Symbolic links to folders and to files are followed, with loop protection: each folder's real path (all links
/// resolved) is walked at most once, so a link back to an enclosing folder is reported as a loop and a second link to a
/// folder already walked is skipped as a duplicate; a file reached twice is listed once. A dangling link is reported as
/// a failure. Zip files are recognised by extension, and a single-file input also by its "PK" signature.
/// </summary>
public static class InputWalker
{
    private const int MaxLinkDepth = 40;

    /// <summary>Lists the input's files (skipped and failed entries are dropped; see <see cref="List"/>).</summary>
    /// <exception cref="ScanInputException">The path does not exist or the folder cannot be listed.</exception>
    public static IReadOnlyList<InputFile> Walk(string input, CancellationToken cancellationToken = default) =>
        List(input, cancellationToken).Files;

    /// <summary>Lists the input, with the symbolic links that were not followed and why.</summary>
    /// <exception cref="ScanInputException">The path does not exist or the input folder itself cannot be listed.</exception>
    public static InputListing List(string input, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        var fullPath = Path.GetFullPath(input);
        if (IsSymbolicLink(fullPath) && !TryResolve(fullPath, out _, out var why, out _))
        {
            throw new ScanInputException(input, why); // .NET's File.Exists is true for a dangling link
        }

        if (File.Exists(fullPath))
        {
            return new InputListing([new InputFile(fullPath, Path.GetFileName(fullPath), IsZipName(fullPath) || HasZipSignature(fullPath))], [], []);
        }

        if (!Directory.Exists(fullPath))
        {
            throw new ScanInputException(input, "no such file or folder");
        }

        var files = new List<InputFile>();
        var skipped = new List<ScanFailure>();
        var failures = new List<ScanFailure>();
        var walkedFolders = new Dictionary<string, string>(StringComparer.Ordinal); // real path → path it was walked as
        var listedFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<(string Path, string RealPath)>();
        var rootReal = RealPath(fullPath);
        walkedFolders[rootReal] = fullPath;
        pending.Push((fullPath, rootReal));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (folder, folderReal) = pending.Pop();
            List<FileSystemInfo> children;
            try
            {
                // Sorted, so that which of two links to one target is walked (and which is skipped) never varies.
                children = new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (folder == fullPath)
                {
                    throw new ScanInputException(folder, "the folder cannot be listed: " + ex.Message, ex);
                }

                failures.Add(new ScanFailure(folder, "the folder cannot be listed: " + ex.Message, ex));
                continue;
            }

            foreach (var child in children)
            {
                var childReal = Path.Combine(folderReal, child.Name);
                if (child.LinkTarget is not null)
                {
                    if (!TryResolve(child.FullName, out childReal, out var problem, out bool isLoop))
                    {
                        (isLoop ? skipped : failures).Add(new ScanFailure(child.FullName, problem));
                        continue;
                    }
                }

                if (Directory.Exists(childReal))
                {
                    if (walkedFolders.TryGetValue(childReal, out var walkedAs))
                    {
                        skipped.Add(new ScanFailure(child.FullName, IsWithin(folderReal, childReal)
                            ? $"symbolic link loop: it points to {childReal}, a folder that contains it (not followed)"
                            : $"symbolic link to {childReal}, already walked as {walkedAs} (not followed twice)"));
                        continue;
                    }

                    walkedFolders[childReal] = child.FullName;
                    pending.Push((child.FullName, childReal));
                }
                else
                {
                    if (listedFiles.TryGetValue(childReal, out var listedAs))
                    {
                        skipped.Add(new ScanFailure(child.FullName, $"the same file as {listedAs} (listed once)"));
                        continue;
                    }

                    listedFiles[childReal] = child.FullName;
                    var name = Path.GetRelativePath(fullPath, child.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    files.Add(new InputFile(child.FullName, name, IsZipName(child.Name)));
                }
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        skipped.Sort((a, b) => string.CompareOrdinal(a.Source, b.Source));
        failures.Sort((a, b) => string.CompareOrdinal(a.Source, b.Source));
        return new InputListing(files, skipped, failures);
    }

    /// <summary>The path with every symbolic link in it resolved (like realpath(3)); the path itself when nothing is a link.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        int links = 0;
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        while (parts.Count > 0)
        {
            var next = Path.Combine(current, parts.Dequeue());
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinkDepth)
            {
                throw new IOException($"more than {MaxLinkDepth} symbolic links in {path}");
            }

            // Replace the link by its target and resolve the target's own components again.
            var resolved = Path.GetFullPath(target, current);
            var rest = parts.ToArray();
            var resolvedRoot = Path.GetPathRoot(resolved)!;
            parts = new Queue<string>(resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            current = resolvedRoot;
        }

        return current;
    }

    private static bool TryResolve(string link, out string realPath, out string problem, out bool isLoop)
    {
        isLoop = false;
        try
        {
            realPath = RealPath(link);
        }
        catch (IOException ex)
        {
            realPath = string.Empty;
            problem = $"symbolic link loop: {ex.Message} (not followed)";
            isLoop = true;
            return false;
        }

        if (!File.Exists(realPath) && !Directory.Exists(realPath))
        {
            problem = $"dangling symbolic link to {LinkTarget(link)} (the target does not exist)";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    private static bool IsSymbolicLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string LinkTarget(string path) => new FileInfo(path).LinkTarget ?? path;

    private static bool IsWithin(string folder, string ancestor) =>
        folder == ancestor || folder.StartsWith(ancestor.EndsWith(Path.DirectorySeparatorChar) ? ancestor : ancestor + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool IsZipName(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    private static bool HasZipSignature(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            Span<byte> head = stackalloc byte[4];
            return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("PK\u0003\u0004"u8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
