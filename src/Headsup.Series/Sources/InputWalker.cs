namespace Headsup.Series.Sources;

/// <summary>One file found under the input: a candidate DICOM file or a zip archive to open.</summary>
/// <param name="FullPath">The full path on disk.</param>
/// <param name="Name">The path relative to the input folder with <c>/</c> separators (the file name for a single file).</param>
/// <param name="IsArchive">True for zip archives.</param>
public sealed record InputFile(string FullPath, string Name, bool IsArchive);

/// <summary>
/// Lists the files of an input: a single file, or a folder walked recursively in ordinal order of relative path.
/// Folder symbolic links are not followed (no cycles); file links are. Zip files are recognised by extension, and a
/// single-file input also by its "PK" signature.
/// </summary>
public static class InputWalker
{
    /// <summary>Lists the input.</summary>
    /// <exception cref="ScanInputException">The path does not exist or the folder cannot be listed.</exception>
    public static IReadOnlyList<InputFile> Walk(string input, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        var fullPath = Path.GetFullPath(input);
        if (File.Exists(fullPath))
        {
            return [new InputFile(fullPath, Path.GetFileName(fullPath), IsZipName(fullPath) || HasZipSignature(fullPath))];
        }

        if (!Directory.Exists(fullPath))
        {
            throw new ScanInputException(input, "no such file or folder");
        }

        var files = new List<InputFile>();
        var pending = new Stack<string>();
        pending.Push(fullPath);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = pending.Pop();
            IEnumerable<FileSystemInfo> children;
            try
            {
                children = new DirectoryInfo(folder).EnumerateFileSystemInfos().ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ScanInputException(folder, "the folder cannot be listed: " + ex.Message, ex);
            }

            foreach (var child in children)
            {
                if (child is DirectoryInfo directory)
                {
                    if (directory.LinkTarget is null)
                    {
                        pending.Push(directory.FullName);
                    }
                }
                else
                {
                    var name = Path.GetRelativePath(fullPath, child.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    files.Add(new InputFile(child.FullName, name, IsZipName(child.Name)));
                }
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return files;
    }

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
