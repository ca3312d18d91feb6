namespace Headsup.Service.Jobs;

/// <summary>
/// Dispatches job ids from the processes that create jobs to the workers. The job rows in the database stay the
/// system of record (state, attempts, leases), so a lost or duplicated message never loses or doubles a result: a
/// message only tells a worker which job to try to claim, and every worker also sweeps the database for due jobs.
/// </summary>
public interface IJobQueue : IAsyncDisposable
{
    /// <summary>What the queue is, for health and logs.</summary>
    string Description { get; }

    /// <summary>True when the queue can publish and deliver now.</summary>
    bool Healthy { get; }

    /// <summary>Connects (and declares the durable topology); called once at start.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Publishes job ids after their rows are committed (confirmed by the broker before it returns).</summary>
    Task PublishAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes job ids until cancelled: <paramref name="handle"/> runs each one; the message is acknowledged only after
    /// it returns (the result committed), and returned to the queue when it throws (dead-lettered after the delivery limit).
    /// </summary>
    Task ConsumeAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken);
}

/// <summary>The embedded queue: a wake-up signal for in-process workers, who claim jobs from the database.</summary>
public sealed class InProcessJobQueue(JobSignal signal) : IJobQueue
{
    /// <inheritdoc/>
    public string Description => "in-process (database-backed)";

    /// <inheritdoc/>
    public bool Healthy => true;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task PublishAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        signal.Notify(jobIds.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ConsumeAsync(Func<string, CancellationToken, Task> handle, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
