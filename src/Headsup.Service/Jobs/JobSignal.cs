namespace Headsup.Service.Jobs;

/// <summary>
/// Wakes workers when jobs are created (the in-process queue: jobs themselves are durable rows in the database, so a
/// lost signal only delays a job until the next poll).
/// </summary>
public sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private CancellationTokenSource _next = new();

    /// <summary>A token cancelled at the next <see cref="Notify"/> (background work yields to new jobs with it).</summary>
    public CancellationToken Next => Volatile.Read(ref _next).Token;

    /// <summary>Announces <paramref name="count"/> new jobs.</summary>
    public void Notify(int count)
    {
        if (count > 0)
        {
            _signal.Release(count);
            Interlocked.Exchange(ref _next, new CancellationTokenSource()).Cancel();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _signal.Dispose();

    /// <summary>Waits for a signal or the poll interval.</summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        try
        {
            await _signal.WaitAsync(poll, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
