namespace Headsup.Core.Progress;

/// <summary>An IProgress that calls back on the reporting thread, one report at a time (Progress&lt;T&gt; posts to the thread pool and reorders).</summary>
/// <typeparam name="T">The progress record.</typeparam>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Report(T value)
    {
        lock (_gate)
        {
            report(value);
        }
    }
}
