using System.Text.Json;
using Headsup.Dicom;
using Headsup.Service.Data;
using Headsup.Service.Intake;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.Http;

namespace Headsup.Service.DicomWeb;

/// <summary>Writes DICOMweb answers: the STOW-RS response, QIDO-RS results, WADO-RS multipart retrieves.</summary>
public static class DicomWebResponses
{
    /// <summary>The DICOM JSON media type.</summary>
    public const string DicomJson = "application/dicom+json";

    /// <summary>The STOW-RS status: 200 all stored, 202 some failed, 409 all failed.</summary>
    public static int StowStatus(IntakeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Failed == 0 ? 200 : result.Stored > 0 ? 202 : 409;
    }

    /// <summary>Writes the STOW-RS response (RetrieveURL, ReferencedSOPSequence, FailedSOPSequence with ErrorComment).</summary>
    public static async Task WriteStowAsync(HttpResponse response, IntakeResult result, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(result);
        response.StatusCode = StowStatus(result);
        response.ContentType = DicomJson;
        await using var writer = new Utf8JsonWriter(response.Body);
        var json = new DicomJsonWriter(writer);
        writer.WriteStartObject();
        var studies = result.Parts.Where(p => p.Ok).Select(p => p.StudyInstanceUid).Distinct().ToList();
        if (studies.Count == 1)
        {
            json.String("00081190", "UR", $"{baseUrl}/studies/{studies[0]}");
        }

        var failed = result.Parts.Where(p => !p.Ok).ToList();
        if (failed.Count > 0)
        {
            json.Sequence("00081198", failed, (j, p) =>
            {
                j.String("00081150", "UI", p.SopClassUid);
                j.String("00081155", "UI", p.SopInstanceUid);
                j.Integer("00081197", "US", p.FailureReason);
                j.String("00000902", "LO", Truncate(p.Error, 64));
            });
        }

        var stored = result.Parts.Where(p => p.Ok).ToList();
        if (stored.Count > 0)
        {
            json.Sequence("00081199", stored, (j, p) =>
            {
                j.String("00081150", "UI", p.SopClassUid);
                j.String("00081155", "UI", p.SopInstanceUid);
                j.String("00081190", "UR", $"{baseUrl}/studies/{p.StudyInstanceUid}/series/{p.SeriesInstanceUid}/instances/{p.SopInstanceUid}");
                if (p.Duplicate)
                {
                    j.Integer("00081196", "US", 0xB000);
                    j.String("00000902", "LO", "already stored: not stored again");
                }
            });
        }

        writer.WriteEndObject();
        await writer.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>QIDO-RS study results.</summary>
    public static Task WriteStudiesAsync(HttpResponse response, IReadOnlyList<StudyRow> studies, IReadOnlyDictionary<string, (int Series, int Instances, string Modalities)> counts, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return WriteArrayAsync(response, studies, (json, s) =>
        {
            counts.TryGetValue(s.StudyInstanceUid, out var c);
            json.String("00080020", "DA", s.StudyDate);
            json.String("00080030", "TM", s.StudyTime);
            json.String("00080050", "SH", s.Accession);
            json.String("00080061", "CS", c.Modalities);
            json.String("00081030", "LO", s.StudyDescription);
            json.String("00081190", "UR", $"{baseUrl}/studies/{s.StudyInstanceUid}");
            json.String("00100010", "PN", s.PatientName);
            json.String("00100020", "LO", s.PatientId);
            json.String("0020000D", "UI", s.StudyInstanceUid);
            json.Integer("00201206", "IS", c.Series);
            json.Integer("00201208", "IS", c.Instances);
        });
    }

    /// <summary>QIDO-RS series results (grouped from instance rows).</summary>
    public static Task WriteSeriesAsync(HttpResponse response, IReadOnlyList<InstanceRow> instances, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return WriteArrayAsync(response, instances.GroupBy(i => i.SeriesInstanceUid).Select(g => (First: g.First(), Count: g.Count())), (json, series) =>
        {
            var first = series.First;
            json.String("00080060", "CS", first.Modality);
            json.String("0008103E", "LO", first.SeriesDescription);
            json.String("00081190", "UR", $"{baseUrl}/studies/{first.StudyInstanceUid}/series/{first.SeriesInstanceUid}");
            json.String("0020000D", "UI", first.StudyInstanceUid);
            json.String("0020000E", "UI", first.SeriesInstanceUid);
            json.Integer("00200011", "IS", first.SeriesNumber);
            json.Integer("00201209", "IS", series.Count);
        });
    }

    /// <summary>QIDO-RS instance results.</summary>
    public static Task WriteInstancesAsync(HttpResponse response, IReadOnlyList<InstanceRow> instances, string baseUrl) =>
        WriteArrayAsync(response, instances, (json, i) =>
        {
            json.String("00080016", "UI", i.SopClassUid);
            json.String("00080018", "UI", i.SopInstanceUid);
            json.String("00080060", "CS", i.Modality);
            json.String("00081190", "UR", $"{baseUrl}/studies/{i.StudyInstanceUid}/series/{i.SeriesInstanceUid}/instances/{i.SopInstanceUid}");
            json.String("0020000D", "UI", i.StudyInstanceUid);
            json.String("0020000E", "UI", i.SeriesInstanceUid);
            json.Integer("00200011", "IS", i.SeriesNumber);
            json.Integer("00200013", "IS", i.InstanceNumber);
        });

    /// <summary>WADO-RS metadata: each stored instance's data set in the DICOM JSON model (bulk data by reference).</summary>
    public static async Task WriteMetadataAsync(HttpResponse response, IReadOnlyList<InstanceRow> instances, IFileStore store, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(store);
        response.ContentType = DicomJson;
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartArray();
        foreach (var i in instances)
        {
            await using var stream = store.OpenRead(i.Path);
            if (stream is null)
            {
                continue;
            }

            // One instance in memory at a time.
            var file = DicomFileReader.Open(stream, i.SopInstanceUid);
            DicomJsonDataset.Write(writer, file.Dataset, $"{baseUrl}/studies/{i.StudyInstanceUid}/series/{i.SeriesInstanceUid}/instances/{i.SopInstanceUid}");
            await writer.FlushAsync(response.HttpContext.RequestAborted).ConfigureAwait(false);
        }

        writer.WriteEndArray();
        await writer.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>A DICOM JSON array answer: one object per item, written by <paramref name="writeItem"/>.</summary>
    private static async Task WriteArrayAsync<T>(HttpResponse response, IEnumerable<T> items, Action<DicomJsonWriter, T> writeItem)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(items);
        response.ContentType = DicomJson;
        await using var writer = new Utf8JsonWriter(response.Body);
        var json = new DicomJsonWriter(writer);
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writeItem(json, item);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await writer.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>WADO-RS retrieve: the stored Part 10 files as multipart/related; type="application/dicom".</summary>
    public static async Task WriteInstancesMultipartAsync(HttpResponse response, IReadOnlyList<InstanceRow> instances, IFileStore store)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(store);
        var boundary = "headsup-" + Guid.NewGuid().ToString("N");
        response.StatusCode = 200;
        response.ContentType = $"multipart/related; type=\"application/dicom\"; boundary={boundary}";
        var body = response.Body;
        foreach (var i in instances)
        {
            await using var file = store.OpenRead(i.Path);
            if (file is null)
            {
                continue;
            }

            await body.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom; transfer-syntax={i.TransferSyntax}\r\nContent-Length: {file.Length}\r\n\r\n"), response.HttpContext.RequestAborted).ConfigureAwait(false);
            await file.CopyToAsync(body, response.HttpContext.RequestAborted).ConfigureAwait(false);
            await body.WriteAsync("\r\n"u8.ToArray(), response.HttpContext.RequestAborted).ConfigureAwait(false);
        }

        await body.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{boundary}--\r\n"), response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}
