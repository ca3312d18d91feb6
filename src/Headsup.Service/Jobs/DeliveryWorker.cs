using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Headsup.Service.Data;
using Headsup.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Headsup.Service.Jobs;

/// <summary>
/// Sends each committed result onward: the SR and Secondary Captures by STOW-RS to every --results-to DICOMweb base
/// URL, and a signed JSON event to every webhook. Deliveries are rows queued with the result (so none is lost when a
/// process dies), claimed under a lease, retried with backoff (2 s … 5 min, 10 attempts) and logged with their
/// outcome. Resending the same instances is harmless: they keep their SOP Instance UIDs.
/// </summary>
public sealed class DeliveryWorker(Db db, IFileStore store, ServiceOptions options, ServiceMetrics metrics, IHttpClientFactory http, ILogger<DeliveryWorker> log) : BackgroundService
{
    /// <summary>Header carrying the webhook signature: "sha256=" + hex HMAC-SHA256 of the body with the target's secret.</summary>
    public const string SignatureHeader = "X-Headsup-Signature";

    /// <summary>Attempts before a delivery is given up (failed, visible in the delivery log).</summary>
    public const int MaxAttempts = 10;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool worked = false;
            try
            {
                worked = await DeliverOneAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("deliveries: {Error}", ex.Message);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (!worked)
            {
                try
                {
                    await Task.Delay(500, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<bool> DeliverOneAsync(CancellationToken cancellationToken)
    {
        long now = Db.Now();
        var claimed = await db.InTransactionAsync(async (c, t) =>
        {
            var ids = await Db.QueryAsync(c, t, "SELECT id FROM deliveries WHERE status IN ('pending', 'sending') AND not_before <= @now ORDER BY created LIMIT 1", r => r.GetString(0), new { now }, cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return null;
            }

            var rows = await Db.QueryAsync(c, t, """
                UPDATE deliveries SET status = 'sending', attempts = attempts + 1, not_before = @lease WHERE id = @id
                RETURNING id, job_id, study_uid, kind, target, attempts
                """, r => (Id: r.GetString(0), Job: r.GetString(1), Study: r.GetString(2), Kind: r.GetString(3), Target: r.GetString(4), Attempts: r.GetInt32(5)),
                new { id = ids[0], lease = now + 120_000 }, cancellationToken).ConfigureAwait(false);
            return rows.Count == 0 ? ((string Id, string Job, string Study, string Kind, string Target, int Attempts)?)null : rows[0];
        }, cancellationToken).ConfigureAwait(false);
        if (claimed is not { } d)
        {
            return false;
        }

        int? status = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            status = d.Kind == "stow" ? await StowAsync(d.Job, d.Study, d.Target, timeout.Token).ConfigureAwait(false) : await WebhookAsync(d.Job, d.Study, d.Target, timeout.Token).ConfigureAwait(false);
            if (status is not (>= 200 and < 300))
            {
                error = $"answered HTTP {status}";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            error = ex.Message;
        }

        long finished = Db.Now();
        if (error is null)
        {
            await db.ExecuteAsync("UPDATE deliveries SET status = 'done', finished = @finished, response_status = @status, last_error = NULL WHERE id = @id",
                new { id = d.Id, finished, status }, cancellationToken).ConfigureAwait(false);
            log.LogInformation("delivered {Kind} for study {Study} to {Target}", d.Kind, StudyHash.Of(d.Study), SafeTarget(d.Target));
        }
        else
        {
            metrics.DeliveriesFailed.Add(1, new KeyValuePair<string, object?>("kind", d.Kind));
            bool giveUp = d.Attempts >= MaxAttempts;
            long backoff = (long)Math.Min(300_000, 2000 * Math.Pow(2, d.Attempts - 1));
            await db.ExecuteAsync("UPDATE deliveries SET status = @s, not_before = @nb, last_error = @error, response_status = @status, finished = @f WHERE id = @id",
                new { id = d.Id, s = giveUp ? "failed" : "pending", nb = finished + backoff, error, status, f = giveUp ? (object)finished : null }, cancellationToken).ConfigureAwait(false);
            log.LogWarning("delivery {Kind} for study {Study} to {Target} failed (attempt {Attempt}/{Max}): {Error}", d.Kind, StudyHash.Of(d.Study), SafeTarget(d.Target), d.Attempts, MaxAttempts, error);
        }

        return true;
    }

    private async Task<int> StowAsync(string job, string study, string target, CancellationToken cancellationToken)
    {
        var keys = await db.QueryAsync("SELECT i.path FROM instances i JOIN jobs j ON j.study_uid = i.study_uid AND j.version = i.version WHERE j.id = @job AND i.origin = 'generated' ORDER BY i.series_number, i.path",
            r => r.GetString(0), new { job }, cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            return 204;
        }

        var boundary = "headsup-" + Guid.NewGuid().ToString("N");
        using var content = new MultipartContent("related", boundary);
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var streams = new List<Stream>();
        try
        {
            foreach (var key in keys)
            {
                var stream = store.OpenRead(key) ?? throw new IOException($"generated instance {key} is missing from the store");
                streams.Add(stream);
                var part = new StreamContent(stream);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
                content.Add(part);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, target.TrimEnd('/') + "/studies") { Content = content };
            request.Headers.Accept.ParseAdd("application/dicom+json");
            if (!string.IsNullOrEmpty(options.ResultsToToken))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ResultsToToken);
            }

            using var response = await http.CreateClient("deliveries").SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        finally
        {
            foreach (var s in streams)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> WebhookAsync(string job, string study, string target, CancellationToken cancellationToken)
    {
        var hook = options.Webhooks.FirstOrDefault(w => w.Url == target) ?? throw new IOException("the webhook is no longer configured");
        var rows = await db.QueryAsync("SELECT version, result_json FROM jobs WHERE id = @job", r => (Version: r.GetInt32(0), Json: r.GetString(1)), new { job }, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return 410;
        }

        var entry = TriageJobRunner.StudyEntry(rows[0].Json);
        var body = new Dictionary<string, object?>
        {
            ["event"] = "result",
            ["study_instance_uid"] = study,
            ["version"] = rows[0].Version,
            // A delivered result is scored: no positive means no decision (too few real studies behind the threshold).
            ["decision"] = Api.StudyViews.Decision(entry?.TryGetProperty("positive", out var p) == true && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null, scored: true),
            ["calibration"] = entry?.TryGetProperty("calibration", out var cal) == true && cal.ValueKind == JsonValueKind.String ? cal.GetString() : null,
            ["probability"] = entry?.TryGetProperty("probability", out var pr) == true && pr.ValueKind == JsonValueKind.Number ? pr.GetDouble() : null,
            ["subtypes"] = entry?.TryGetProperty("subtypes", out var st) == true ? st : null,
            ["link"] = $"/api/studies/{study}",
            ["sent"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["not_for_clinical_use"] = true,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SignatureHeader, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hook.Secret), bytes)));
        using var response = await http.CreateClient("deliveries").SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private static string SafeTarget(string target) => Uri.TryCreate(target, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "?";
}
