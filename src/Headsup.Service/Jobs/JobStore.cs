using System.Data.Common;
using Headsup.Service.Data;

namespace Headsup.Service.Jobs;

/// <summary>A job as claimed by a worker.</summary>
public sealed record JobRecord(string Id, string StudyInstanceUid, int Version, int Instances, int Attempts, int MaxAttempts, long Created);

/// <summary>A generated instance to record with a result.</summary>
public sealed record GeneratedInstance(Headsup.Dicom.DicomDataset Dataset, string TransferSyntax, string Key, long Size, string Sha256);

/// <summary>A committed current result: its job, result folder (store key) and results.json.</summary>
public sealed record CommittedResult(JobRecord Job, string ResultKey, string ResultJson);

/// <summary>What a job produced, ready to commit.</summary>
public sealed record JobResult(string ResultKey, string ResultJson, double? Probability, bool? Positive, string? Error, IReadOnlyList<GeneratedInstance> Generated);

/// <summary>
/// The durable job records: one job per study version, created when a study has been stable for the configured time,
/// claimed by a worker under a lease (renewed by heartbeats; a dead worker's lease runs out and the job is taken
/// again), committed with its result in one transaction (so a job's outputs become visible exactly once), retried with
/// backoff on transient errors and poisoned after its attempts.
/// </summary>
public sealed class JobStore(Db db)
{
    /// <summary>Creates a job for every study stable for <paramref name="stableMs"/>; returns the new job ids.</summary>
    public async Task<IReadOnlyList<string>> CreateDueJobsAsync(long stableMs, int maxAttempts, CancellationToken cancellationToken)
    {
        long now = Db.Now();
        var due = await db.QueryAsync("SELECT study_uid, last_received FROM studies WHERE pending = 1 AND last_received <= @cutoff ORDER BY last_received LIMIT 100",
            r => (Study: r.GetString(0), Last: r.GetInt64(1)), new { cutoff = now - stableMs }, cancellationToken).ConfigureAwait(false);
        var created = new List<string>();
        foreach (var (study, last) in due)
        {
            string? id;
            try
            {
                id = await db.InTransactionAsync(async (c, t) =>
            {
                var rows = await Db.QueryAsync(c, t, "SELECT current_version, received_instances FROM studies WHERE study_uid = @study AND pending = 1 AND last_received = @last",
                    r => (Version: r.GetInt32(0), Instances: r.GetInt32(1)), new { study, last }, cancellationToken).ConfigureAwait(false);
                if (rows.Count == 0)
                {
                    return null; // another process took it, or an instance arrived meanwhile
                }

                int version = rows[0].Version + 1;
                string jobId = $"{study}/v{version}";
                await Db.ExecuteAsync(c, t, """
                    INSERT INTO jobs (id, study_uid, version, instances, status, attempts, max_attempts, not_before, created)
                    VALUES (@jobId, @study, @version, @instances, 'queued', 0, @maxAttempts, @now, @now)
                    ON CONFLICT (id) DO NOTHING
                    """, new { jobId, study, version, instances = rows[0].Instances, maxAttempts, now }, cancellationToken).ConfigureAwait(false);
                int updated = await Db.ExecuteAsync(c, t, "UPDATE studies SET pending = 0, current_version = @version, status = 'queued', updated = @now WHERE study_uid = @study AND pending = 1 AND last_received = @last AND current_version = @previous",
                    new { study, version, now, last, previous = rows[0].Version }, cancellationToken).ConfigureAwait(false);
                if (updated == 0)
                {
                    throw new RaceLostException();
                }

                return jobId;
            }, cancellationToken).ConfigureAwait(false);
            }
            catch (RaceLostException)
            {
                // Another process created this version, or an instance arrived meanwhile: rolled back, nothing to do.
                continue;
            }

            if (id is not null)
            {
                created.Add(id);
            }
        }

        return created;
    }

    /// <summary>
    /// Claims the oldest runnable job (queued and due, or running with an expired lease) for <paramref name="worker"/>;
    /// poisons expired jobs that have used all their attempts first. Null when there is nothing to do.
    /// </summary>
    public async Task<JobRecord?> ClaimAsync(string worker, long leaseMs, string? onlyId, CancellationToken cancellationToken)
    {
        long now = Db.Now();
        await PoisonExpiredAsync(now, cancellationToken).ConfigureAwait(false);
        var claimed = await db.InTransactionAsync(async (c, t) =>
        {
            var candidates = await Db.QueryAsync(c, t, """
                SELECT id FROM jobs
                WHERE ((status = 'queued' AND not_before <= @now) OR (status = 'running' AND lease_until < @now)) AND (@only IS NULL OR id = @only)
                ORDER BY created LIMIT 1
                """, r => r.GetString(0), new { now, only = onlyId }, cancellationToken).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return null;
            }

            var rows = await Db.QueryAsync(c, t, """
                UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = @lease, worker = @worker, started = @now, error = NULL
                WHERE id = @id AND ((status = 'queued' AND not_before <= @now) OR (status = 'running' AND lease_until < @now))
                RETURNING id, study_uid, version, instances, attempts, max_attempts, created
                """, Map, new { id = candidates[0], now, lease = now + leaseMs, worker }, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return null;
            }

            await Db.ExecuteAsync(c, t, "UPDATE studies SET status = 'running', updated = @now WHERE study_uid = @study AND current_version = @version AND pending = 0",
                new { study = rows[0].StudyInstanceUid, version = rows[0].Version, now }, cancellationToken).ConfigureAwait(false);
            return rows[0];
        }, cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    /// <summary>Extends a running job's lease; false when the job is no longer this worker's.</summary>
    public async Task<bool> HeartbeatAsync(string id, string worker, long leaseMs, CancellationToken cancellationToken) =>
        await db.ExecuteAsync("UPDATE jobs SET lease_until = @lease WHERE id = @id AND worker = @worker AND status = 'running'",
            new { id, worker, lease = Db.Now() + leaseMs }, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>
    /// Commits a result: the job done, the generated instances recorded, the study's current result updated, the
    /// deliveries queued — all or nothing. False when the job is no longer this worker's (its lease ran out and
    /// another worker took it): the caller discards its outputs.
    /// </summary>
    public async Task<bool> CompleteAsync(JobRecord job, string worker, JobResult result, IReadOnlyList<(string Kind, string Target)> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(deliveries);
        long now = Db.Now();
        return await db.InTransactionAsync(async (c, t) =>
        {
            int rows = await Db.ExecuteAsync(c, t, """
                UPDATE jobs SET status = @status, finished = @now, lease_until = NULL, result_path = @path, result_json = @json, error = @error
                WHERE id = @id AND worker = @worker AND status = 'running'
                """, new { id = job.Id, worker, now, path = result.ResultKey, json = result.ResultJson, error = result.Error, status = result.Error is null ? "done" : "failed" }, cancellationToken).ConfigureAwait(false);
            if (rows == 0)
            {
                return false;
            }

            foreach (var g in result.Generated)
            {
                await Intake.InstanceIntake.InsertInstanceAsync(c, t, Intake.InstanceAttributes.From(g.Dataset, null, g.TransferSyntax), g.Key, g.Size, g.Sha256, "generated", job.Version, now, cancellationToken).ConfigureAwait(false);
            }

            await UpdateStudyAsync(c, t, job, result.Error is null ? "done" : "failed", result.Probability, result.Positive, result.Error, now, cancellationToken, SubtypesOf(result.ResultJson), OodWarningOf(result.ResultJson)).ConfigureAwait(false);
            if (result.Error is null)
            {
                foreach (var (kind, target) in deliveries)
                {
                    await Db.ExecuteAsync(c, t, """
                        INSERT INTO deliveries (id, job_id, study_uid, kind, target, status, attempts, not_before, created)
                        VALUES (@id, @job, @study, @kind, @target, 'pending', 0, @now, @now) ON CONFLICT (id) DO NOTHING
                        """, new { id = $"{job.Id}|{kind}|{target}", job = job.Id, study = job.StudyInstanceUid, kind, target, now }, cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a failed attempt: retried after a backoff (2, 4, 8 … s, at most 5 min) while attempts remain and the
    /// error is transient, else failed for good with its reason. False when the job is no longer this worker's.
    /// </summary>
    public async Task<bool> FailAsync(JobRecord job, string worker, string error, bool transient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        long now = Db.Now();
        bool retry = transient && job.Attempts < job.MaxAttempts;
        long backoff = (long)Math.Min(300_000, 2000 * Math.Pow(2, job.Attempts - 1));
        return await db.InTransactionAsync(async (c, t) =>
        {
            int rows = await Db.ExecuteAsync(c, t, """
                UPDATE jobs SET status = @status, not_before = @notBefore, lease_until = NULL, error = @error, finished = @finished
                WHERE id = @id AND worker = @worker AND status = 'running'
                """, new { id = job.Id, worker, status = retry ? "queued" : "failed", notBefore = now + backoff, error, finished = retry ? null : (object)now }, cancellationToken).ConfigureAwait(false);
            if (rows > 0)
            {
                await UpdateStudyAsync(c, t, job, retry ? "queued" : "failed", null, null, retry ? null : error, now, cancellationToken).ConfigureAwait(false);
            }

            return rows > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives a running job back (graceful shutdown before it finished): queued again, the attempt not counted.</summary>
    public async Task ReturnAsync(JobRecord job, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        long now = Db.Now();
        await db.InTransactionAsync(async (c, t) =>
        {
            int rows = await Db.ExecuteAsync(c, t, "UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_until = NULL, not_before = @now WHERE id = @id AND worker = @worker AND status = 'running'",
                new { id = job.Id, worker, now }, cancellationToken).ConfigureAwait(false);
            if (rows > 0)
            {
                await UpdateStudyAsync(c, t, job, "queued", null, null, null, now, cancellationToken).ConfigureAwait(false);
            }

            return rows;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When the last instance of a job's snapshot arrived (ms).</summary>
    public async Task<long?> LastInstanceAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var value = await db.ScalarAsync("SELECT MAX(received) FROM instances WHERE study_uid = @study AND origin = 'received' AND received <= @created",
            new { study = job.StudyInstanceUid, created = job.Created }, cancellationToken).ConfigureAwait(false);
        return value is null ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Jobs queued or waiting to retry (the queue depth).</summary>
    public async Task<long> DepthAsync(CancellationToken cancellationToken = default) =>
        Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM jobs WHERE status = 'queued'", cancellationToken: cancellationToken).ConfigureAwait(false) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Received instances a job triages: those of its study received before it was created.</summary>
    public async Task<List<string>> InstanceKeysAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return await db.QueryAsync("SELECT path FROM instances WHERE study_uid = @study AND origin = 'received' AND received <= @created ORDER BY path",
            r => r.GetString(0), new { study = job.StudyInstanceUid, created = job.Created }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The newest current results (done, with their result folder), newest first: candidates for the second overlay
    /// pass. The caller checks which of them still lack it.
    /// </summary>
    public async Task<List<CommittedResult>> RecentResultsAsync(int limit, CancellationToken cancellationToken) =>
        await db.QueryAsync("""
            SELECT j.id, j.study_uid, j.version, j.instances, j.attempts, j.max_attempts, j.created, j.result_path, j.result_json
            FROM jobs j JOIN studies s ON s.study_uid = j.study_uid AND s.result_version = j.version
            WHERE j.status = 'done' AND j.result_path IS NOT NULL AND j.result_json IS NOT NULL
            ORDER BY j.finished DESC LIMIT @limit
            """, r => new CommittedResult(Map(r), r.GetString(7), r.GetString(8)), new { limit }, cancellationToken).ConfigureAwait(false);

    /// <summary>Marks a study changed (its event-stream subscribers see it again), e.g. when its overlays are ready.</summary>
    public async Task TouchStudyAsync(string studyInstanceUid, CancellationToken cancellationToken) =>
        await db.ExecuteAsync("UPDATE studies SET updated = @now WHERE study_uid = @study", new { study = studyInstanceUid, now = Db.Now() }, cancellationToken).ConfigureAwait(false);

    private async Task PoisonExpiredAsync(long now, CancellationToken cancellationToken)
    {
        var poisoned = await db.QueryAsync("""
            UPDATE jobs SET status = 'failed', finished = @now, lease_until = NULL,
                            error = 'poisoned: the worker stopped without finishing on each of ' || attempts || ' attempts (killed, out of memory or crashed)'
            WHERE status = 'running' AND lease_until < @now AND attempts >= max_attempts
            RETURNING id, study_uid, version, instances, attempts, max_attempts, created
            """, Map, new { now }, cancellationToken).ConfigureAwait(false);
        foreach (var job in poisoned)
        {
            await db.InTransactionAsync(async (c, t) =>
            {
                await UpdateStudyAsync(c, t, job, "failed", null, null, "poisoned after " + job.Attempts + " attempts", now, cancellationToken).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? SubtypesOf(string? resultJson) =>
        resultJson is not null && TriageJobRunner.StudyEntry(resultJson) is { } entry && entry.TryGetProperty("subtypes", out var subtypes) && subtypes.ValueKind == System.Text.Json.JsonValueKind.Object
            ? subtypes.GetRawText()
            : null;

    /// <summary>The result's out-of-distribution warning ("this scanner or format was not in the model's training data: …"), when it has one.</summary>
    private static string? OodWarningOf(string? resultJson) =>
        resultJson is not null && TriageJobRunner.StudyEntry(resultJson) is { } entry && entry.TryGetProperty("out_of_distribution", out var ood) && ood.ValueKind == System.Text.Json.JsonValueKind.Object
            && ood.TryGetProperty("warning", out var warning) && warning.ValueKind == System.Text.Json.JsonValueKind.True && ood.TryGetProperty("message", out var message)
            ? message.GetString()
            : null;

    private static async Task UpdateStudyAsync(DbConnection c, DbTransaction t, JobRecord job, string status, double? probability, bool? positive, string? error, long now, CancellationToken cancellationToken, string? subtypes = null, string? oodWarning = null)
    {
        // Only the newest version speaks for the study; while newer instances are pending the study stays 'receiving'.
        if (status is "done")
        {
            await Db.ExecuteAsync(c, t, """
                UPDATE studies SET result_version = @version, probability = @probability, positive = @positive, error = NULL, updated = @now, subtypes = @subtypes, ood_warning = @oodWarning,
                                   result_seconds = (@now - (SELECT MAX(received) FROM instances WHERE study_uid = @study AND origin = 'received' AND received <= @created)) / 1000.0,
                                   status = CASE WHEN pending = 0 AND current_version = @version THEN 'done' ELSE status END
                WHERE study_uid = @study AND (result_version IS NULL OR result_version <= @version)
                """, new { study = job.StudyInstanceUid, version = job.Version, probability, positive = positive is null ? null : (object)(positive.Value ? 1 : 0), now, subtypes, oodWarning, created = job.Created }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Db.ExecuteAsync(c, t, """
                UPDATE studies SET status = @status, error = @error, updated = @now
                WHERE study_uid = @study AND pending = 0 AND current_version = @version
                """, new { study = job.StudyInstanceUid, version = job.Version, status, error, now }, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class RaceLostException : Exception;

    private static JobRecord Map(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt64(6));
}
