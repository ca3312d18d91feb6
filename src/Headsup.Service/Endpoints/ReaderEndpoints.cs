using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headsup.Dicom;
using Headsup.Service.Data;
using Headsup.Service.Feedback;
using Headsup.Service.Security;
using Headsup.Service.Storage;
using Headsup.Service.Viewer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Headsup.Service.Endpoints;

/// <summary>What the reading pages need beyond the results API: slice pixels for the viewer and readers' feedback.</summary>
public static class ReaderEndpoints
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    // Opening a study's images is audited once per user, study and 10 minutes, not once per slice scrolled.
    private static readonly ConcurrentDictionary<(string Actor, string Study), long> s_imageAudits = new();

    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Reading");
        api.MapGet("/studies/{study}/instances/{sop}/hu", SliceAsync).RequireAuthorization(Policies.Worklist)
            .WithSummary("One received slice in Hounsfield units for the viewer: int16 little-endian, rows × columns (X-Rows, X-Columns, X-Pixel-Spacing headers)");
        api.MapPost("/studies/{study}/feedback", AddFeedbackAsync).RequireAuthorization(Policies.Reader).DisableAntiforgery()
            .WithSummary("A reader's feedback on the study's result: {agree, version?, subtypes?, slices?: [{sop_instance_uid, hemorrhage}], comment?}");
        api.MapGet("/studies/{study}/feedback", async (HttpContext c, string study, FeedbackStore store, Audit audit) =>
        {
            var entries = await store.ListAsync(study, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "read-feedback", study).ConfigureAwait(false);
            return Results.Json(new { feedback = entries, not_for_clinical_use = true }, s_json);
        }).RequireAuthorization(Policies.Reader).WithSummary("Every feedback entry of a study, newest first");
        api.MapGet("/feedback", async (HttpContext c, FeedbackStore store, Audit audit) =>
        {
            var entries = await store.ListAsync(null, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "export-feedback", null, $"{entries.Count} entries").ConfigureAwait(false);
            if (c.Request.Query["format"] == "csv")
            {
                return Results.Text(FeedbackCsv(entries), "text/csv; charset=utf-8");
            }

            return Results.Json(new { feedback = entries, not_for_clinical_use = true }, s_json);
        }).RequireAuthorization(Policies.Reader).WithSummary("Every feedback entry (JSON, or ?format=csv); `headsup feedback export` also writes the DICOM files and a training labels CSV");
    }

    private static async Task<IResult> SliceAsync(HttpContext c, string study, string sop, StudyQueries q, IFileStore store, SliceImages images, Audit audit)
    {
        var instance = (await q.InstancesAsync(study, sop: sop, cancellationToken: c.RequestAborted).ConfigureAwait(false)).FirstOrDefault(i => i.Origin == "received");
        if (instance is null)
        {
            return Problems.Result(404, "Not Found", "no received instance with this SOP Instance UID in this study");
        }

        SliceHu slice;
        try
        {
            slice = images.Load(store.LocalPath(instance.Path));
        }
        catch (Exception ex) when (ex is DicomException or InvalidDataException or IOException or NotSupportedException)
        {
            return Problems.Result(422, "Unprocessable Content", $"the instance cannot be shown: {ex.Message}");
        }

        var actor = Audit.Actor(c.User);
        long now = Environment.TickCount64;
        if (!s_imageAudits.TryGetValue((actor, study), out var last) || now - last > 600_000)
        {
            s_imageAudits[(actor, study)] = now;
            if (s_imageAudits.Count > 10_000)
            {
                // Bounded: entries older than the audit interval say nothing any more.
                foreach (var (k, at) in s_imageAudits)
                {
                    if (now - at > 600_000)
                    {
                        s_imageAudits.TryRemove(k, out _);
                    }
                }
            }
            await audit.RecordAsync(c, "read-images", study).ConfigureAwait(false);
        }

        var headers = c.Response.Headers;
        headers["X-Rows"] = slice.Rows.ToString(CultureInfo.InvariantCulture);
        headers["X-Columns"] = slice.Columns.ToString(CultureInfo.InvariantCulture);
        if (slice.PixelSpacing is { } spacing)
        {
            headers["X-Pixel-Spacing"] = string.Create(CultureInfo.InvariantCulture, $"{spacing.Row}\\{spacing.Column}");
        }

        headers.CacheControl = "private, max-age=3600";
        return Results.Bytes(slice.Pixels, "application/octet-stream");
    }

    private static async Task<IResult> AddFeedbackAsync(HttpContext c, string study, FeedbackStore store, Audit audit)
    {
        FeedbackRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<FeedbackRequest>(c.Request.Body, s_json, c.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Problems.Result(400, "Bad Request", $"the feedback body is not valid JSON for {{agree, version, subtypes, slices, comment}}: {ex.Message}");
        }

        if (request is null)
        {
            return Problems.Result(400, "Bad Request", "the feedback body is empty");
        }

        try
        {
            var entry = await store.AddAsync(study, Audit.Actor(c.User), Audit.Role(c.User), request, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "feedback", study, entry.Agree switch { true => "agree", false => "disagree", null => entry.Hemorrhage == true ? "hemorrhage (no decision)" : "no hemorrhage (no decision)" }).ConfigureAwait(false);
            return Results.Json(entry, s_json, statusCode: 201);
        }
        catch (FeedbackException ex)
        {
            return Problems.Result(ex.Status, ex.Status switch { 404 => "Not Found", 409 => "Conflict", _ => "Bad Request" }, ex.Message);
        }
    }

    private static string FeedbackCsv(IReadOnlyList<FeedbackEntry> entries)
    {
        var csv = new StringBuilder("study_instance_uid,version,actor,role,agree,hemorrhage,subtypes,slice_labels,comment,created\n");
        foreach (var e in entries)
        {
            csv.Append(e.StudyInstanceUid).Append(',').Append(e.Version).Append(',').Append(Quote(e.Actor)).Append(',').Append(e.Role).Append(',')
                .Append(e.Agree is { } agree ? (agree ? "1" : "0") : string.Empty).Append(',').Append(e.Hemorrhage is { } h ? (h ? "1" : "0") : string.Empty).Append(',')
                .Append(Quote(string.Join(';', e.Subtypes))).Append(',').Append(e.Slices.Count).Append(',').Append(Quote(e.Comment ?? string.Empty)).Append(',')
                .Append(Api.StudyViews.Iso(e.Created)).Append('\n');
        }

        return csv.ToString();
    }

    private static string Quote(string value)
    {
        // A leading =, +, - or @ would be a formula in a spreadsheet: prefix it so the cell stays text.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
