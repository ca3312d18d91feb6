namespace Headsup.Inputs.Preprocessing;

/// <summary>Counts and failures of one run, shared by its converting threads.</summary>
internal sealed class PreprocessTally(int images, IProgress<PreprocessProgress>? progress)
{
    private readonly Lock _lock = new();
    private readonly List<PreprocessFailure> _failures = [];
    private int _written;
    private int _done;

    /// <summary>Images to convert.</summary>
    public int Images { get; } = images;

    /// <summary>Outputs written so far.</summary>
    public int Written => Volatile.Read(ref _written);

    /// <summary>Records a failed input.</summary>
    public void Fail(string source, string reason)
    {
        lock (_lock)
        {
            _failures.Add(new PreprocessFailure(source, reason));
        }
    }

    /// <summary>Counts one written output.</summary>
    public void Wrote() => Interlocked.Increment(ref _written);

    /// <summary>Counts one image done (written or failed) and reports progress.</summary>
    public void ImageDone()
    {
        int done = Interlocked.Increment(ref _done);
        progress?.Report(new PreprocessProgress(PreprocessStage.Converting, done, Images));
    }

    /// <summary>The failures in ordinal order of source, then reason.</summary>
    public IReadOnlyList<PreprocessFailure> SortedFailures()
    {
        lock (_lock)
        {
            return _failures
                .OrderBy(f => f.Source, StringComparer.Ordinal)
                .ThenBy(f => f.Reason, StringComparer.Ordinal)
                .ToArray();
        }
    }
}
