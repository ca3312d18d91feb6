using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Service.Api;
using Headsup.Service.Data;
using Headsup.Service.Intake;
using Headsup.Service.Security;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Headsup.Service.Endpoints;

/// <summary>The results API under /api: worklist, study detail, result files, live events, browser/script upload.</summary>
public static class StudyEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Results");
        api.MapGet("/studies", WorklistAsync).RequireAuthorization(Policies.Worklist)
            .WithSummary("The worklist: studies filtered by status, decision and date; flagged first, then probability, then arrival");
        api.MapGet("/studies/{study}", async (HttpContext c, string study, StudyQueries q, Audit audit, IFileStore store, ServiceOptions options) =>
        {
            var row = await q.StudyAsync(study, c.RequestAborted).ConfigureAwait(false);
            if (row is null)
            {
                return Problems.Result(404, "Not Found", "no study with this StudyInstanceUID has been received");
            }

            var versions = await q.VersionsAsync(study, c.RequestAborted).ConfigureAwait(false);
            var deliveries = await q.DeliveriesAsync(study, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "read-result", study).ConfigureAwait(false);
            return Results.Json(StudyViews.Detail(row, versions, deliveries, Roles.SeesIdentifiers(c.User), StudyViews.OverlayExplanation(row, versions, store, options)));
        }).RequireAuthorization(Policies.Worklist).WithSummary("A study: status, current result (the study entry of results.json), versions, deliveries, links");
        api.MapGet("/studies/{study}/versions/{version:int}/results.json", async (HttpContext c, string study, int version, StudyQueries q, Audit audit) =>
        {
            var job = (await q.VersionsAsync(study, c.RequestAborted).ConfigureAwait(false)).FirstOrDefault(v => v.Version == version);
            if (job?.ResultJson is null)
            {
                return Problems.Result(404, "Not Found", "no result for this study version");
            }

            await audit.RecordAsync(c, "read-result", study, $"version {version}").ConfigureAwait(false);
            return Results.Text(job.ResultJson, "application/json");
        }).RequireAuthorization(Policies.Worklist).WithSummary("results.json of one version, as `headsup detect` writes it");
        api.MapGet("/studies/{study}/versions/{version:int}/files/{**path}", async (HttpContext c, string study, int version, string path, StudyQueries q, IFileStore store, Audit audit) =>
        {
            var job = (await q.VersionsAsync(study, c.RequestAborted).ConfigureAwait(false)).FirstOrDefault(v => v.Version == version);
            if (job?.ResultPath is null || path.Contains("..", StringComparison.Ordinal) || path.StartsWith('/'))
            {
                return Problems.Result(404, "Not Found", "no such result file");
            }

            if (path.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) && !Roles.SeesIdentifiers(c.User))
            {
                return Problems.Result(403, "Forbidden", "DICOM files carry patient identifiers: the reader role may download them, this role may not");
            }

            var stream = store.OpenRead(job.ResultPath + "/" + path);
            if (stream is null)
            {
                return Problems.Result(404, "Not Found", "no such result file");
            }

            await audit.RecordAsync(c, "read-file", study, path).ConfigureAwait(false);
            var type = Path.GetExtension(path) switch { ".png" => "image/png", ".json" => "application/json", ".dcm" => "application/dicom", ".npy" => "application/octet-stream", _ => "application/octet-stream" };
            return Results.Stream(stream, type);
        }).RequireAuthorization(Policies.Worklist).WithSummary("A result file of one version: overlay and panel PNGs, heatmaps, SR and SC");
        api.MapGet("/events", EventsAsync).RequireAuthorization(Policies.Worklist).WithSummary("Server-Sent Events: a 'study' event whenever a study's status or result changes");
        api.MapPost("/studies", UploadAsync).RequireAuthorization(Policies.Ingest).DisableAntiforgery()
            .WithSummary("Upload DICOM files or zip archives (multipart/form-data); same limits as STOW-RS");
    }

    private static async Task<IResult> WorklistAsync(HttpContext c, StudyQueries q, Audit audit)
    {
        var query = c.Request.Query;
        bool? positive = query["decision"].ToString() switch
        {
            "" => null,
            "positive" or "ich_likely" or "flagged" => true,
            "negative" or "no_ich_flagged" => false,
            var other => throw new BadHttpRequestException($"decision must be positive or negative (got '{other}')"),
        };
        var filter = new StudyFilter
        {
            Status = query["status"] is { Count: > 0 } s ? s.ToString() : null,
            Positive = positive,
            ReceivedFrom = ParseDate(query["from"], "from"),
            ReceivedTo = ParseDate(query["to"], "to"),
            PatientId = query["patient_id"] is { Count: > 0 } p ? p.ToString() : null,
            Text = query["q"] is { Count: > 0 } text && text.ToString().Trim() is { Length: > 0 } t ? t : null,
            Limit = int.TryParse(query["limit"], out var limit) ? limit : 100,
            Offset = int.TryParse(query["offset"], out var offset) ? offset : 0,
        };
        bool identifiers = Roles.SeesIdentifiers(c.User);
        if (!identifiers && (filter.PatientId is not null || filter.Text is not null))
        {
            return Problems.Result(403, "Forbidden", "searching by patient ID or accession number needs the reader role");
        }

        var rows = await q.StudiesAsync(filter, worklistOrder: true, c.RequestAborted).ConfigureAwait(false);
        await audit.RecordAsync(c, "read-worklist", null, $"{rows.Count} stud(ies)").ConfigureAwait(false);
        return Results.Json(new JsonObject
        {
            ["studies"] = new JsonArray(rows.Select(r => (JsonNode)StudyViews.Summary(r, identifiers)).ToArray()),
            ["count"] = rows.Count,
            ["not_for_clinical_use"] = true,
        });
    }

    private static async Task EventsAsync(HttpContext c, StudyQueries q)
    {
        c.Response.ContentType = "text/event-stream";
        c.Response.Headers.CacheControl = "no-cache";
        long since = long.TryParse(c.Request.Headers["Last-Event-ID"], out var last) ? last : Db.Now();
        await c.Response.WriteAsync(": headsup study events\n\n", c.RequestAborted).ConfigureAwait(false);
        await c.Response.Body.FlushAsync(c.RequestAborted).ConfigureAwait(false);
        try
        {
            while (!c.RequestAborted.IsCancellationRequested)
            {
                foreach (var row in await q.ChangedSinceAsync(since, c.RequestAborted).ConfigureAwait(false))
                {
                    since = Math.Max(since, row.Updated);
                    var summary = StudyViews.Summary(row, identifiers: false);
                    await c.Response.WriteAsync($"id: {row.Updated}\nevent: study\ndata: {summary.ToJsonString()}\n\n", c.RequestAborted).ConfigureAwait(false);
                }

                await c.Response.Body.FlushAsync(c.RequestAborted).ConfigureAwait(false);
                await Task.Delay(250, c.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the client left
        }
    }

    private static async Task UploadAsync(HttpContext c, RequestIntake intake, Audit audit, IFileStore store, ServiceOptions options)
    {
        if (store.FreeBytes() < options.MinFreeBytes)
        {
            await Problems.WriteAsync(c, 507, "Insufficient Storage", "the store's disk is below its free-space floor; nothing was stored — retry later").ConfigureAwait(false);
            return;
        }

        IntakeResult result;
        try
        {
            result = await intake.UploadAsync(c.Request.ContentType, c.Request.Body, c.RequestAborted).ConfigureAwait(false);
        }
        catch (IntakeRequestException ex)
        {
            await Problems.WriteAsync(c, ex.Status, ex.Title, ex.Message).ConfigureAwait(false);
            return;
        }

        foreach (var s in result.Parts.Where(p => p.Ok && !p.Duplicate).GroupBy(p => p.StudyInstanceUid))
        {
            await audit.RecordAsync(c, "upload", s.Key, $"{s.Count()} instance(s) stored").ConfigureAwait(false);
        }

        c.Response.StatusCode = DicomWeb.DicomWebResponses.StowStatus(result);
        await c.Response.WriteAsJsonAsync(new
        {
            stored = result.Parts.Count(p => p.Ok && !p.Duplicate),
            duplicates = result.Parts.Count(p => p.Duplicate),
            failed = result.Failed,
            studies = result.Parts.Where(p => p.Ok).Select(p => p.StudyInstanceUid).Distinct().ToList(),
            failures = result.Parts.Where(p => !p.Ok).Select(p => new { part = p.Name, reason = p.Error, failure_reason = p.FailureReason }).ToList(),
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web), c.RequestAborted).ConfigureAwait(false);
    }

    private static long? ParseDate(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d.ToUnixTimeMilliseconds()
            : throw new BadHttpRequestException($"{name} must be an ISO 8601 date or time (got '{value}')");
    }
}
