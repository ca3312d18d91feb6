using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Headsup.Service.Jobs;

/// <summary>Turns studies that have received nothing for the stable time into queued jobs (one per version).</summary>
public sealed class StabilityMonitor(JobStore jobs, IJobQueue queue, ServiceOptions options, ILogger<StabilityMonitor> log) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long stableMs = (long)(options.StableSeconds * 1000);
        // A tenth of the stable time (50 ms … 0.5 s): the check is one indexed query, and its lag adds to every result.
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(stableMs / 10, 50, 500));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var created = await jobs.CreateDueJobsAsync(stableMs, options.MaxAttempts, stoppingToken).ConfigureAwait(false);
                foreach (var id in created)
                {
                    log.LogInformation("job queued: study {Study} version {Version}", StudyHash.Of(id[..id.LastIndexOf('/')]), id[(id.LastIndexOf('/') + 2)..]);
                }

                if (created.Count > 0)
                {
                    try
                    {
                        await queue.PublishAsync(created, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The job rows are committed: the workers' database sweep runs them without the message.
                        log.LogWarning("stability monitor: could not publish {Count} job(s) ({Error}); workers will find them in the database", created.Count, ex.Message);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database is restarting or busy: try again on the next tick.
                log.LogWarning("stability monitor: {Error}", ex.Message);
            }

            try
            {
                await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
