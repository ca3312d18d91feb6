namespace Headsup.Evaluation.Reports;

/// <summary>
/// Writes a set of files into a folder so that none is ever seen half-written: every file is first written in full to a
/// hidden temporary name, and only when all are written are they renamed over their final names.
/// </summary>
internal static class AtomicOutput
{
    public static IReadOnlyList<string> WriteAll(string directory, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        if (File.Exists(directory))
        {
            throw new EvaluationOutputException($"output folder {directory} is an existing file");
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvaluationOutputException($"cannot create output folder {directory}: {e.Message}", e);
        }

        // A folder in the way of a final name would fail the rename after other files were replaced: refuse up front.
        foreach (var (name, _) in files)
        {
            if (Directory.Exists(Path.Combine(directory, name)))
            {
                throw new EvaluationOutputException($"cannot write {name} in {directory}: a folder of that name exists");
            }
        }

        var token = Guid.NewGuid().ToString("N")[..8];
        var temporary = new List<string>();
        try
        {
            foreach (var (name, content) in files)
            {
                var temp = Path.Combine(directory, $".{name}.{token}.tmp");
                temporary.Add(temp);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    stream.Write(content);
                    stream.Flush(flushToDisk: true);
                }
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var temp in temporary)
            {
                TryDelete(temp);
            }

            throw new EvaluationOutputException($"cannot write the evaluation report to {directory}: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error is the one reported; a temporary file we cannot delete is named in its message.
            _ = e;
        }
    }
}
