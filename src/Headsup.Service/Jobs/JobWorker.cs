using System.Diagnostics;
using Headsup.Explain;
using Headsup.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Headsup.Service.Jobs;

/// <summary>
/// Runs jobs: claims one under a lease, keeps the lease alive while the triage runs, commits the result (or records
/// the failure) and takes the next. On shutdown the running job is finished when it can be within the host's
/// shutdown time; otherwise it is given back to the queue. Memory is bounded by one study at a time per worker.
/// </summary>
public sealed class JobWorker(JobStore jobs, JobSignal signal, IJobQueue queue, ModelHolder model, IFileStore store, ServiceOptions options, ServiceMetrics metrics, ILogger<JobWorker> log) : BackgroundService
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly HashSet<string> _overlayGaveUp = new(StringComparer.Ordinal);
    private readonly ExplainMethod? _overlayMethod = OverlayPass.Method(options);
    private CancellationTokenSource? _overlayStop;
    private readonly string _worker = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        long leaseMs = (long)(options.JobLeaseSeconds * 1000);
        try
        {
            await model.RunnerAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            // Health/ready reports the reason; this process takes no jobs (other workers may).
            log.LogError("worker: the model cannot be loaded, no jobs will run here: {Error}", ex.GetBaseException().Message);
            return;
        }

        // The broker (when there is one) hands out job ids; the database sweep takes whatever is due without a message
        // (a retry after its backoff, a job whose worker died, a message lost while the broker restarted).
        var consumer = queue is InProcessJobQueue ? Task.CompletedTask : ConsumeAsync(leaseMs, stoppingToken);
        var poll = queue is InProcessJobQueue ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool ran;
            try
            {
                ran = await TryRunAsync(null, leaseMs, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("worker: cannot claim jobs: {Error}", ex.Message);
                ran = false;
            }

            if (!ran && !await TryOverlayPassAsync(stoppingToken).ConfigureAwait(false))
            {
                await signal.WaitAsync(poll, stoppingToken).ConfigureAwait(false);
            }
        }

        await consumer.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }

    private async Task ConsumeAsync(long leaseMs, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A message names a job; if it cannot be claimed (done, or running under another live lease) it is
                // acknowledged and the database stays the judge. Throwing returns it to the queue.
                await queue.ConsumeAsync((id, ct) => TryRunAsync(id, leaseMs, ct), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("worker: queue consumer stopped ({Error}); reconnecting", ex.Message);
                try
                {
                    await Task.Delay(2000, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Claims (a given job, or the oldest due one) and runs it; false when there was nothing to claim.</summary>
    private async Task<bool> TryRunAsync(string? onlyId, long leaseMs, CancellationToken stoppingToken)
    {
        if (onlyId is not null)
        {
            StopOverlayPass(); // a job message from the broker: the background pass yields
        }

        await _oneAtATime.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            var job = await jobs.ClaimAsync(_worker, leaseMs, onlyId, stoppingToken).ConfigureAwait(false);
            if (job is null)
            {
                return false;
            }

            await RunAsync(job, leaseMs, stoppingToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task RunAsync(JobRecord job, long leaseMs, CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        string study = StudyHash.Of(job.StudyInstanceUid);
        log.LogInformation("job started: study {Study} version {Version} attempt {Attempt}/{Max} ({Instances} instances)", study, job.Version, job.Attempts, job.MaxAttempts, job.Instances);

        // The triage runs to its end once started (a cancelled triage is wasted work); shutdown waits for it within the
        // host's shutdown timeout, and a job that was not committed by then is returned to the queue.
        using var heartbeat = new CancellationTokenSource();
        var beats = HeartbeatAsync(job, leaseMs, heartbeat.Token);
        JobResult? result = null;
        try
        {
            var keys = await jobs.InstanceKeysAsync(job, CancellationToken.None).ConfigureAwait(false);
            var runner = await model.RunnerAsync(stoppingToken).ConfigureAwait(false);
            result = await Task.Factory.StartNew(() => runner.Run(job, keys, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            await heartbeat.CancelAsync().ConfigureAwait(false);
            await beats.ConfigureAwait(false);
            var deliveries = options.ResultsTo.Select(u => ("stow", u)).Concat(options.Webhooks.Select(w => ("webhook", w.Url))).ToList();
            if (!await jobs.CompleteAsync(job, _worker, result, deliveries, CancellationToken.None).ConfigureAwait(false))
            {
                log.LogWarning("job lost: study {Study} version {Version}: another worker took it after this one's lease ran out; outputs discarded", study, job.Version);
                runner.Discard(result);
                return;
            }

            metrics.JobsCompleted.Add(1, new KeyValuePair<string, object?>("outcome", result.Error is null ? "done" : "failed"));
            metrics.JobDuration.Record(clock.Elapsed.TotalSeconds);
            if (await jobs.LastInstanceAsync(job, CancellationToken.None).ConfigureAwait(false) is { } last)
            {
                metrics.StudyLatency.Record((Data.Db.Now() - last) / 1000.0);
            }
            log.LogInformation("job {Outcome}: study {Study} version {Version} in {Seconds:0.00} s{Error}", result.Error is null ? "done" : "failed", study, job.Version, clock.Elapsed.TotalSeconds, result.Error is null ? string.Empty : ": " + result.Error);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await heartbeat.CancelAsync().ConfigureAwait(false);
            await jobs.ReturnAsync(job, _worker, CancellationToken.None).ConfigureAwait(false);
            log.LogInformation("job returned to the queue on shutdown: study {Study} version {Version}", study, job.Version);
        }
        catch (Exception ex)
        {
            await heartbeat.CancelAsync().ConfigureAwait(false);
            bool transient = ex is not PermanentJobException && ex is not Headsup.Models.ModelException;
            string reason = ex is PermanentJobException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            try
            {
                await jobs.FailAsync(job, _worker, reason, transient, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception dbError) when (dbError is not OperationCanceledException)
            {
                log.LogWarning("job {Study} v{Version}: could not record the failure ({Error}); the lease will run out and the job be retried", study, job.Version, dbError.Message);
            }

            metrics.JobsCompleted.Add(1, new KeyValuePair<string, object?>("outcome", transient && job.Attempts < job.MaxAttempts ? "retry" : "failed"));
            log.LogWarning("job attempt failed: study {Study} version {Version} attempt {Attempt}: {Reason}", study, job.Version, job.Attempts, reason);
        }
    }

    private void StopOverlayPass()
    {
        try
        {
            Volatile.Read(ref _overlayStop)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the pass just ended
        }
    }

    /// <summary>
    /// The second overlay pass (ServiceOptions.OverlayExplain), run only while this worker has no job: the newest current
    /// result without it gets its key slices explained again (XRAI by default) for the study page. A new job stops it
    /// within one batch of Integrated Gradients steps; it runs again later. True when the loop should look for a job
    /// at once (a pass ended or was stopped), false when there was nothing to do.
    /// </summary>
    private async Task<bool> TryOverlayPassAsync(CancellationToken stoppingToken)
    {
        if (_overlayMethod is not { } method)
        {
            return false;
        }

        TriageJobRunner runner;
        CommittedResult? next;
        try
        {
            runner = await model.RunnerAsync(stoppingToken).ConfigureAwait(false);
            next = null;
            foreach (var candidate in await jobs.RecentResultsAsync(20, stoppingToken).ConfigureAwait(false))
            {
                if (!_overlayGaveUp.Contains(candidate.ResultKey) && !OverlayPass.IsOver(store, candidate.ResultKey, method) && OverlayPass.TryClaim(store, candidate.ResultKey, method, _worker))
                {
                    next = candidate;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning("overlay pass: cannot list results: {Error}", ex.Message);
            return false;
        }

        if (next is null)
        {
            return false;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, signal.Next);
        Volatile.Write(ref _overlayStop, stop);
        string study = StudyHash.Of(next.Job.StudyInstanceUid);
        try
        {
            var keys = await jobs.InstanceKeysAsync(next.Job, stoppingToken).ConfigureAwait(false);
            var manifest = await Task.Factory.StartNew(() => runner.ExplainOverlays(next, keys, method, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            if (manifest is not null)
            {
                await jobs.TouchStudyAsync(next.Job.StudyInstanceUid, CancellationToken.None).ConfigureAwait(false);
                metrics.OverlayPasses.Add(1, new KeyValuePair<string, object?>("outcome", manifest["status"]?.GetValue<string>()));
                log.LogInformation("overlay pass {Status}: study {Study} version {Version}, {Method}{Detail}", manifest["status"], study, next.Job.Version, manifest["method"],
                    manifest["error"] is { } error ? ": " + error : $" in {manifest["seconds"]} s");
            }
            else if (stop.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                log.LogInformation("overlay pass stopped for a new job: study {Study} version {Version}; it resumes when the worker is idle", study, next.Job.Version);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (ex is not OperationCanceledException)
            {
                _overlayGaveUp.Add(next.ResultKey);
                log.LogWarning("overlay pass failed: study {Study} version {Version}: {Error}; not retried until restart", study, next.Job.Version, ex.GetBaseException().Message);
            }
        }
        finally
        {
            Volatile.Write(ref _overlayStop, null);
            OverlayPass.Release(store, next.ResultKey, method);
        }

        return true;
    }

    private async Task HeartbeatAsync(JobRecord job, long leaseMs, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(200, leaseMs / 3));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, cancellationToken).ConfigureAwait(false);
                await jobs.HeartbeatAsync(job.Id, _worker, leaseMs, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning("heartbeat failed: {Error}", ex.Message);
            }
        }
    }
}
