using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// The external contract of `headsup serve` (issue 10), driven as a client would: keys, bearer authentication and roles,
/// STOW-RS, the stable wait, the job, the results API (equal to `headsup detect` on the same files), QIDO-RS and
/// WADO-RS of the generated SR, duplicates, and the audit trail.
/// </summary>
public sealed class ServiceContractTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ServiceProcess Service => fixture.Service;

    [Fact]
    public async Task Health_NoKey_AnswersLiveAndReady()
    {
        using var live = await Service.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await Service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("checks").GetProperty("model").GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("GET", "/api/studies")]
    [InlineData("GET", "/dicomweb/studies")]
    [InlineData("POST", "/dicomweb/studies")]
    [InlineData("GET", "/api/admin/audit")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task Routes_WithoutKey_Answer401ProblemJson(string method, string path)
    {
        using var response = await Service.Http.SendAsync(ServiceProcess.Request(new HttpMethod(method), path, null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var bad = await Service.Http.SendAsync(ServiceProcess.Request(new HttpMethod(method), path, "hu_not-a-real-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
    }

    [Fact]
    public async Task Roles_IngestCannotRead_ReaderCannotSendOrAdminister()
    {
        using var ingestReads = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/api/studies", fixture.IngestKey));
        Assert.Equal(HttpStatusCode.Forbidden, ingestReads.StatusCode);
        var readerSends = await Service.StowAsync(fixture.ReaderKey, [(File.ReadAllBytes(fixture.Studies.First().Value[0]), "application/dicom")]);
        Assert.Equal(HttpStatusCode.Forbidden, readerSends.Status);
        using var readerAudits = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/api/admin/audit", fixture.ReaderKey));
        Assert.Equal(HttpStatusCode.Forbidden, readerAudits.StatusCode);
        using var readerMetrics = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/metrics", fixture.ReaderKey));
        Assert.Equal(HttpStatusCode.OK, readerMetrics.StatusCode);
        var metrics = await readerMetrics.Content.ReadAsStringAsync();
        Assert.Contains("headsup_instances_received", metrics, StringComparison.Ordinal);
        Assert.Contains("headsup_queue_depth", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stow_PhantomStudy_TriagedOnceLikeDetect_WithSrRetrievable()
    {
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First();
        var stow = await Service.StowAsync(fixture.IngestKey, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
        Assert.Equal(HttpStatusCode.OK, stow.Status);
        Assert.Equal("application/dicom+json", stow.ContentType);
        Assert.Equal(files.Count, stow.Body.GetProperty("00081199").GetProperty("Value").GetArrayLength());

        var done = await Service.WaitForStatusAsync(fixture.ReaderKey, study, TimeSpan.FromMinutes(3), "done", "failed");
        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("version").GetInt32());
        double probability = done.GetProperty("probability").GetDouble();
        Assert.True(done.TryGetProperty("threshold", out _));
        Assert.True(done.GetProperty("key_slices").GetArrayLength() > 0);

        // The same files through `headsup detect` give the same study probability.
        var input = Path.Combine(fixture.Temp, "detect-in");
        Directory.CreateDirectory(input);
        foreach (var f in files)
        {
            File.Copy(f, Path.Combine(input, Path.GetFileName(f)), overwrite: true);
        }

        var outDir = Path.Combine(fixture.Temp, "detect-out");
        var (code, _, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "detect", input, "--no-dicom", "--out", outDir], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, stderr);
        var detected = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement.GetProperty("studies")[0].GetProperty("probability").GetDouble();
        Assert.InRange(Math.Abs(detected - probability), 0, 1e-6);

        // QIDO: the SR series is in the same study; WADO: it comes back as a DICOM Part 10 part our reader and the
        // study UID agree on.
        var (status, series) = await Service.GetJsonAsync($"/dicomweb/studies/{study}/series?Modality=SR", fixture.ReaderKey);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, series.GetArrayLength());
        Assert.Equal(9902, series[0].GetProperty("00200011").GetProperty("Value")[0].GetInt32());
        var seriesUid = series[0].GetProperty("0020000E").GetProperty("Value")[0].GetString();
        var (_, instances) = await Service.GetJsonAsync($"/dicomweb/studies/{study}/series/{seriesUid}/instances", fixture.ReaderKey);
        var sop = instances[0].GetProperty("00080018").GetProperty("Value")[0].GetString();
        using var retrieve = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, $"/dicomweb/studies/{study}/series/{seriesUid}/instances/{sop}", fixture.ReaderKey));
        Assert.Equal(HttpStatusCode.OK, retrieve.StatusCode);
        Assert.Equal("multipart/related", retrieve.Content.Headers.ContentType?.MediaType);
        var part = FirstPart(await retrieve.Content.ReadAsByteArrayAsync(), retrieve.Content.Headers.ContentType!.Parameters.First(p => p.Name == "boundary").Value!.Trim('"'));
        var sr = DicomFileReader.Parse(part, "retrieved").Dataset;
        Assert.Equal(study, sr.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal("SR", sr.GetString(DicomTags.Modality));

        // Sending the same instances again changes nothing: duplicates, no new version, no second SR.
        var again = await Service.StowAsync(fixture.IngestKey, files.Take(5).Select(f => (File.ReadAllBytes(f), "application/dicom")));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        await Task.Delay(2500);
        var after = await Service.WaitForStatusAsync(fixture.ReaderKey, study, TimeSpan.FromSeconds(30), "done");
        Assert.Equal(1, after.GetProperty("versions").GetArrayLength());
        var (_, srAfter) = await Service.GetJsonAsync($"/dicomweb/studies/{study}/series?Modality=SR", fixture.ReaderKey);
        Assert.Equal(1, srAfter.GetArrayLength());

        // Reads of patient data are audited.
        var (auditStatus, audit) = await Service.GetJsonAsync($"/api/admin/audit?study={study}&limit=1000", fixture.AdminKey);
        Assert.Equal(HttpStatusCode.OK, auditStatus);
        var actions = audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToHashSet();
        Assert.Contains("stow", actions);
        Assert.Contains("read-result", actions);
        Assert.Contains("wado-retrieve", actions);
    }

    [Fact]
    public async Task OverlayPass_AfterGradCamResult_XraiOverlaysForEachKeySlice_NoNewDicom()
    {
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First();
        var stow = await Service.StowAsync(fixture.IngestKey, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
        Assert.Equal(HttpStatusCode.OK, stow.Status);
        var done = await Service.WaitForStatusAsync(fixture.ReaderKey, study, TimeSpan.FromMinutes(3), "done");

        // The result itself carries the fast explanation (Grad-CAM, burned into the Secondary Captures); the second
        // pass is pending or done, never part of the committed result.
        Assert.Equal("gradcam", done.GetProperty("explanation").GetString());
        var (_, seriesBefore) = await Service.GetJsonAsync($"/dicomweb/studies/{study}/series", fixture.ReaderKey);
        Assert.Contains(done.GetProperty("overlay_explanation").GetProperty("status").GetString(), new[] { "pending", "done" });

        JsonElement detail = done;
        var deadline = Deadline.In(TimeSpan.FromMinutes(6));
        while (detail.GetProperty("overlay_explanation").GetProperty("status").GetString() == "pending" && !deadline.Passed)
        {
            await Task.Delay(1000);
            (_, detail) = await Service.GetJsonAsync($"/api/studies/{study}", fixture.ReaderKey);
        }

        var pass = detail.GetProperty("overlay_explanation");
        Assert.True(pass.GetProperty("status").GetString() == "done", "overlay pass: " + pass.GetRawText() + "\n" + Service.Log);
        Assert.Equal("xrai", pass.GetProperty("method").GetString());
        Assert.Contains(pass.GetProperty("precision").GetString(), new[] { "bfloat16", "float32" });
        var keys = detail.GetProperty("key_slices").EnumerateArray().Select(k => k.GetProperty("sop_instance_uid").GetString()).ToList();
        var slices = pass.GetProperty("slices").EnumerateArray().ToList();
        Assert.Equal(keys, slices.Select(x => x.GetProperty("sop_instance_uid").GetString()).ToList());
        int version = detail.GetProperty("version").GetInt32();
        foreach (var slice in slices)
        {
            using var png = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, $"/api/studies/{study}/versions/{version}/files/{slice.GetProperty("overlay").GetString()}", fixture.ReaderKey));
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
            var bytes = await png.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);

            // The heatmap is the slice's rows × columns of float32 (.npy), like detect's.
            using var npy = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, $"/api/studies/{study}/versions/{version}/files/{slice.GetProperty("heatmap").GetString()}", fixture.ReaderKey));
            Assert.Equal(HttpStatusCode.OK, npy.StatusCode);
            var header = Encoding.Latin1.GetString((await npy.Content.ReadAsByteArrayAsync())[..128]);
            Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        }

        // No new DICOM: the Secondary Captures sent to the PACS stay the result's; the study has the same series.
        var (_, seriesAfter) = await Service.GetJsonAsync($"/dicomweb/studies/{study}/series", fixture.ReaderKey);
        Assert.Equal(seriesBefore.GetArrayLength(), seriesAfter.GetArrayLength());
        Assert.Equal(1, detail.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task Stow_MixedBadParts_StoresGoodPartsAndNamesEachFailure()
    {
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last();
        var good = File.ReadAllBytes(files[0]);
        var truncated = File.ReadAllBytes(files[1])[..600];
        var declaredHuge = (byte[])File.ReadAllBytes(files[2]).Clone();
        CorruptPixelLength(declaredHuge);
        var result = await Service.StowAsync(fixture.IngestKey,
        [
            (good, "application/dicom"),
            (Encoding.ASCII.GetBytes("this is not DICOM at all"), "application/dicom"),
            (truncated, "application/dicom"),
            (good, "image/jpeg"),
            (declaredHuge, "application/dicom"),
        ]);
        Assert.Equal(HttpStatusCode.Accepted, result.Status);
        Assert.Equal(1, result.Body.GetProperty("00081199").GetProperty("Value").GetArrayLength());
        var failed = result.Body.GetProperty("00081198").GetProperty("Value").EnumerateArray().ToList();
        Assert.Equal(4, failed.Count);
        Assert.All(failed, f => Assert.Equal(0xC000, f.GetProperty("00081197").GetProperty("Value")[0].GetInt32()));
        var comments = failed.Select(f => f.GetProperty("00000902").GetProperty("Value")[0].GetString()!).ToList();
        Assert.StartsWith("part 2", comments[0], StringComparison.Ordinal);
        Assert.StartsWith("part 3", comments[1], StringComparison.Ordinal);
        Assert.StartsWith("part 4", comments[2], StringComparison.Ordinal);

        // Everything failed: 409. An instance of another study posted to this study's URL: 0xA900.
        var allBad = await Service.StowAsync(fixture.IngestKey, [(Encoding.ASCII.GetBytes("nope"), "application/dicom")]);
        Assert.Equal(HttpStatusCode.Conflict, allBad.Status);
        var other = fixture.Studies.First(s => s.Key != study);
        var mismatch = await Service.StowAsync(fixture.IngestKey, [(File.ReadAllBytes(other.Value[0]), "application/dicom")], $"/dicomweb/studies/{study}");
        Assert.Equal(HttpStatusCode.Conflict, mismatch.Status);
        Assert.Equal(0xA900, mismatch.Body.GetProperty("00081198").GetProperty("Value")[0].GetProperty("00081197").GetProperty("Value")[0].GetInt32());

        // A request that is not multipart/related: 415 problem+json, nothing stored.
        var wrongType = await Service.StowAsync(fixture.IngestKey, [(good, "application/dicom")], outerType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.Status);
        Assert.Contains("multipart/related", wrongType.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ZipWithUnsafeEntryAndGoodFiles_StoresGoodFilesAndReportsTheArchive()
    {
        var (_, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last();
        using var zipBytes = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(zipBytes, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var f in files.Skip(3).Take(3))
            {
                zip.CreateEntryFromFile(f, "ok/" + Path.GetFileName(f));
            }
        }

        using var unsafeZip = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(unsafeZip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntryFromFile(files[6], "../escape.dcm");
        }

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(zipBytes.ToArray()), "files", "good.zip" },
            { new ByteArrayContent(unsafeZip.ToArray()), "files", "evil.zip" },
            { new ByteArrayContent(File.ReadAllBytes(files[7])), "files", "single.dcm" },
        };
        using var request = ServiceProcess.Request(HttpMethod.Post, "/api/studies", fixture.IngestKey);
        request.Content = form;
        using var response = await Service.Http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(4, body.GetProperty("stored").GetInt32() + body.GetProperty("duplicates").GetInt32());
        var failure = Assert.Single(body.GetProperty("failures").EnumerateArray());
        Assert.Contains("evil.zip", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCli_ListAndRevoke_RevokedKeyStopsWorkingAtOnce()
    {
        var data = fixture.Service.DataDir;
        var key = ServiceProcess.CreateKey(data, "reader");
        Assert.Equal(HttpStatusCode.OK, (await Service.GetJsonAsync("/api/studies", key)).Status);
        var (code, list, _) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "serve", "keys", "list", "--data-dir", data], TimeSpan.FromMinutes(2));
        Assert.Equal(0, code);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        var id = list.Split('\n').Last(l => l.StartsWith("key_", StringComparison.Ordinal) && l.Contains("reader", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal)).Split(' ')[0];
        var (revoked, _, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "serve", "keys", "revoke", id, "--data-dir", data], TimeSpan.FromMinutes(2));
        Assert.True(revoked == 0, stderr);
        var after = (await Service.GetJsonAsync("/api/studies", key)).Status;
        var (again, _, againErr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "serve", "keys", "revoke", id, "--data-dir", data], TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, after);
        Assert.Equal(2, again);
        Assert.Contains("no active key", againErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worklist_FlaggedFirst_ThenProbability()
    {
        var (status, body) = await Service.GetJsonAsync("/api/studies", fixture.ReaderKey);
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = body.GetProperty("studies").EnumerateArray().ToList();
        var keys = rows.Select(r => (Flag: r.GetProperty("positive").ValueKind == JsonValueKind.True ? 0 : 1, P: r.GetProperty("probability").ValueKind == JsonValueKind.Number ? r.GetProperty("probability").GetDouble() : -1)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Flag).ThenByDescending(k => k.P).ToList(), keys);
        using var bad = await Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/api/studies?from=yesterday-ish", fixture.ReaderKey));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Sets the pixel data element's length to 0xFFFFFFF0 (a claimed 4 GB value).</summary>
    private static void CorruptPixelLength(byte[] bytes)
    {
        for (int i = bytes.Length - 12; i > 132; i--)
        {
            // (7FE0,0010) OW/OB explicit VR: tag, VR, 2 reserved, 4-byte length.
            if (bytes[i] == 0xE0 && bytes[i + 1] == 0x7F && bytes[i + 2] == 0x10 && bytes[i + 3] == 0x00 && bytes[i + 4] == (byte)'O')
            {
                BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(bytes, i + 8);
                return;
            }
        }

        throw new InvalidOperationException("no explicit-VR pixel data element found");
    }

    private static byte[] FirstPart(byte[] body, string boundary)
    {
        var text = Encoding.Latin1.GetString(body);
        int start = text.IndexOf("\r\n\r\n", text.IndexOf("--" + boundary, StringComparison.Ordinal), StringComparison.Ordinal) + 4;
        int end = text.IndexOf("\r\n--" + boundary, start, StringComparison.Ordinal);
        return body[start..end];
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
