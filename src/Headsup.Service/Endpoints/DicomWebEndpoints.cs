using Headsup.Service.Data;
using Headsup.Service.DicomWeb;
using Headsup.Service.Intake;
using Headsup.Service.Security;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Headsup.Service.Endpoints;

/// <summary>DICOMweb at /dicomweb: STOW-RS (ingest), QIDO-RS and WADO-RS (reader). Parse, call, respond.</summary>
public static class DicomWebEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var web = app.MapGroup("/dicomweb").WithTags("DICOMweb");
        web.MapPost("/studies", (HttpContext c, RequestIntake intake, Audit audit, IFileStore store, ServiceOptions o) => StowAsync(c, null, intake, audit, store, o))
            .RequireAuthorization(Policies.Ingest).WithSummary("STOW-RS: store instances (multipart/related; type=\"application/dicom\")");
        web.MapPost("/studies/{study}", (HttpContext c, string study, RequestIntake intake, Audit audit, IFileStore store, ServiceOptions o) => StowAsync(c, study, intake, audit, store, o))
            .RequireAuthorization(Policies.Ingest).WithSummary("STOW-RS into one study (instances of another study fail with 0xA900)");

        web.MapGet("/studies", QueryStudiesAsync).RequireAuthorization(Policies.Reader).WithSummary("QIDO-RS: search studies");
        web.MapGet("/studies/{study}/series", async (HttpContext c, string study, StudyQueries q, Audit audit) =>
        {
            var rows = await q.InstancesAsync(study, modality: Query(c, "Modality", "00080060"), cancellationToken: c.RequestAborted).ConfigureAwait(false);
            rows = rows.Where(r => Query(c, "SeriesInstanceUID", "0020000E") is not { } s || s.Split(',').Contains(r.SeriesInstanceUid)).ToList();
            await audit.RecordAsync(c, "qido-series", study).ConfigureAwait(false);
            await DicomWebResponses.WriteSeriesAsync(c.Response, rows, BaseUrl(c)).ConfigureAwait(false);
        }).RequireAuthorization(Policies.Reader).WithSummary("QIDO-RS: search a study's series");
        web.MapGet("/studies/{study}/series/{series}/instances", async (HttpContext c, string study, string series, StudyQueries q, Audit audit) =>
        {
            var rows = await q.InstancesAsync(study, series, cancellationToken: c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "qido-instances", study).ConfigureAwait(false);
            await DicomWebResponses.WriteInstancesAsync(c.Response, rows, BaseUrl(c)).ConfigureAwait(false);
        }).RequireAuthorization(Policies.Reader).WithSummary("QIDO-RS: search a series' instances");
        web.MapGet("/studies/{study}/instances", async (HttpContext c, string study, StudyQueries q, Audit audit) =>
        {
            var rows = await q.InstancesAsync(study, cancellationToken: c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "qido-instances", study).ConfigureAwait(false);
            await DicomWebResponses.WriteInstancesAsync(c.Response, rows, BaseUrl(c)).ConfigureAwait(false);
        }).RequireAuthorization(Policies.Reader).WithSummary("QIDO-RS: search a study's instances");

        web.MapGet("/studies/{study}/metadata", (HttpContext c, string study, StudyQueries q, Audit a, IFileStore s) => MetadataAsync(c, study, null, null, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS metadata of a study (DICOM JSON; pixel data as BulkDataURI)");
        web.MapGet("/studies/{study}/series/{series}/metadata", (HttpContext c, string study, string series, StudyQueries q, Audit a, IFileStore s) => MetadataAsync(c, study, series, null, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS metadata of a series");
        web.MapGet("/studies/{study}/series/{series}/instances/{instance}/metadata", (HttpContext c, string study, string series, string instance, StudyQueries q, Audit a, IFileStore s) => MetadataAsync(c, study, series, instance, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS metadata of an instance");
        web.MapGet("/studies/{study}", (HttpContext c, string study, StudyQueries q, Audit a, IFileStore s) => RetrieveAsync(c, study, null, null, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS: retrieve a study");
        web.MapGet("/studies/{study}/series/{series}", (HttpContext c, string study, string series, StudyQueries q, Audit a, IFileStore s) => RetrieveAsync(c, study, series, null, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS: retrieve a series");
        web.MapGet("/studies/{study}/series/{series}/instances/{instance}", (HttpContext c, string study, string series, string instance, StudyQueries q, Audit a, IFileStore s) => RetrieveAsync(c, study, series, instance, q, a, s))
            .RequireAuthorization(Policies.Reader).WithSummary("WADO-RS: retrieve an instance");
    }

    /// <summary>The DICOMweb base URL as the client addressed it.</summary>
    public static string BaseUrl(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
    }

    private static async Task StowAsync(HttpContext c, string? study, RequestIntake intake, Audit audit, IFileStore store, ServiceOptions options)
    {
        if (study is not null && !InstanceIntake.IsUid(study))
        {
            await Problems.WriteAsync(c, 400, "Bad Request", $"'{study}' in the URL is not a StudyInstanceUID").ConfigureAwait(false);
            return;
        }

        if (store.FreeBytes() < options.MinFreeBytes)
        {
            await Problems.WriteAsync(c, 507, "Insufficient Storage", "the store's disk is below its free-space floor; nothing was stored — retry later").ConfigureAwait(false);
            return;
        }

        IntakeResult result;
        try
        {
            result = await intake.StowAsync(c.Request.ContentType, c.Request.Body, study, c.RequestAborted).ConfigureAwait(false);
        }
        catch (IntakeRequestException ex)
        {
            await Problems.WriteAsync(c, ex.Status, ex.Title, ex.Message).ConfigureAwait(false);
            return;
        }

        foreach (var s in result.Parts.Where(p => p.Ok && !p.Duplicate).GroupBy(p => p.StudyInstanceUid))
        {
            await audit.RecordAsync(c, "stow", s.Key, $"{s.Count()} instance(s) stored").ConfigureAwait(false);
        }

        await DicomWebResponses.WriteStowAsync(c.Response, result, BaseUrl(c)).ConfigureAwait(false);
    }

    private static async Task QueryStudiesAsync(HttpContext c, StudyQueries q, Audit audit)
    {
        var filter = new StudyFilter
        {
            StudyUids = Query(c, "StudyInstanceUID", "0020000D")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            PatientId = Query(c, "PatientID", "00100020"),
            PatientName = Query(c, "PatientName", "00100010"),
            Accession = Query(c, "AccessionNumber", "00080050"),
            StudyDate = Query(c, "StudyDate", "00080020"),
            StudyDescription = Query(c, "StudyDescription", "00081030"),
            Modality = Query(c, "ModalitiesInStudy", "00080061"),
            Limit = int.TryParse(c.Request.Query["limit"], out var limit) ? limit : 100,
            Offset = int.TryParse(c.Request.Query["offset"], out var offset) ? offset : 0,
        };
        var studies = await q.StudiesAsync(filter, worklistOrder: false, c.RequestAborted).ConfigureAwait(false);
        var counts = await q.CountsAsync(studies.Select(s => s.StudyInstanceUid).ToList(), c.RequestAborted).ConfigureAwait(false);

        await audit.RecordAsync(c, "qido-studies", studies.Count == 1 ? studies[0].StudyInstanceUid : null, $"{studies.Count} match(es)").ConfigureAwait(false);
        await DicomWebResponses.WriteStudiesAsync(c.Response, studies, counts, BaseUrl(c)).ConfigureAwait(false);
    }

    private static async Task RetrieveAsync(HttpContext c, string study, string? series, string? instance, StudyQueries q, Audit audit, IFileStore store)
    {
        var accept = c.Request.Headers.Accept.ToString();
        if (accept.Length > 0 && !accept.Contains("*/*", StringComparison.Ordinal) && !accept.Contains("multipart/related", StringComparison.OrdinalIgnoreCase) && !accept.Contains("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(c, 406, "Not Acceptable", "this server returns instances as multipart/related; type=\"application/dicom\"").ConfigureAwait(false);
            return;
        }

        var rows = await q.InstancesAsync(study, series, instance, cancellationToken: c.RequestAborted).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            await Problems.WriteAsync(c, 404, "Not Found", instance is not null ? "no such instance" : series is not null ? "no such series" : "no such study").ConfigureAwait(false);
            return;
        }

        await audit.RecordAsync(c, "wado-retrieve", study, $"{rows.Count} instance(s)").ConfigureAwait(false);
        await DicomWebResponses.WriteInstancesMultipartAsync(c.Response, rows, store).ConfigureAwait(false);
    }

    private static async Task MetadataAsync(HttpContext c, string study, string? series, string? instance, StudyQueries q, Audit audit, IFileStore store)
    {
        var rows = await q.InstancesAsync(study, series, instance, cancellationToken: c.RequestAborted).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            await Problems.WriteAsync(c, 404, "Not Found", instance is not null ? "no such instance" : series is not null ? "no such series" : "no such study").ConfigureAwait(false);
            return;
        }

        await audit.RecordAsync(c, "wado-metadata", study, $"{rows.Count} instance(s)").ConfigureAwait(false);
        await DicomWebResponses.WriteMetadataAsync(c.Response, rows, store, BaseUrl(c)).ConfigureAwait(false);
    }

    private static string? Query(HttpContext c, string keyword, string tag)
    {
        string? value = c.Request.Query[keyword];
        value ??= c.Request.Query[tag];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
