using System.Net;
using System.Text;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests.Browser;

/// <summary>
/// Readers' feedback through the API becomes a data set: `headsup feedback export` (plain and de-identified) writes the
/// labels CSV and DICOM that `headsup evaluate --level study` reads.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FeedbackExportTests(BrowserFixture fx)
{
    /// <summary>The feedback body for a reader who sees (or not) a bleed, whatever the result decided; <paramref name="extra"/>'s properties are added.</summary>
    private static Dictionary<string, object?> Read(JsonElement detail, bool bleeding, object extra)
    {
        var body = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(extra))!;
        switch (detail.GetProperty("decision").GetString())
        {
            case "ich_likely": body["agree"] = bleeding; break;
            case "no_ich_flagged": body["agree"] = !bleeding; break;
            default: body["hemorrhage"] = bleeding; break;
        }

        return body;
    }

    [Fact]
    public async Task Feedback_exports_as_labels_and_dicom_that_evaluate_reads_and_deidentified_without_identifiers()
    {
        // Two triaged studies, one labelled bleeding and one not, so the study-level evaluation has both classes.
        var first = fx.Studies[0];
        var second = fx.Studies[2];
        await fx.SendAsync(second.Files);
        await fx.Service.WaitForStatusAsync(fx.Keys["reader"], second.Study, TimeSpan.FromMinutes(3), "done");
        var d1 = (await fx.Service.GetJsonAsync($"/api/studies/{first.Study}", fx.Keys["reader"])).Body;
        var d2 = (await fx.Service.GetJsonAsync($"/api/studies/{second.Study}", fx.Keys["reader"])).Body;
        var labelled = d1.GetProperty("slices")[0].GetProperty("sop_instance_uid").GetString()!;

        // first: bleeding (agree with a flag, disagree with "no ICH flagged", or hemorrhage true when the model made no
        // decision), one slice labelled; second: no bleeding.
        Assert.Equal(HttpStatusCode.Created, await PostAsync($"/api/studies/{first.Study}/feedback",
            Read(d1, bleeding: true, new { subtypes = new[] { "subdural" }, slices = new[] { new { sop_instance_uid = labelled, hemorrhage = true } }, comment = "reader-comment-7f3a" })));
        Assert.Equal(HttpStatusCode.Created, await PostAsync($"/api/studies/{second.Study}/feedback", Read(d2, bleeding: false, new { })));

        using var temp = TestData.CreateTempFolder();
        var plain = Path.Combine(temp.Path, "export");
        var (code, stdout, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "feedback", "export", "--data-dir", fx.Service.DataDir, "--out", plain], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stdout + stderr);
        var lines = File.ReadAllLines(Path.Combine(plain, "labels.csv"));
        Assert.Equal("file,any,epidural,intraparenchymal,intraventricular,subarachnoid,subdural,patient_id,study_id,series_id,source,study_any", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(d1.GetProperty("slices").GetArrayLength() + d2.GetProperty("slices").GetArrayLength(), rows.Count);
        Assert.All(rows.Where(r => r[8] == first.Study), r => Assert.Equal("1", r[11]));
        Assert.All(rows.Where(r => r[8] == second.Study), r => Assert.Equal("0", r[11]));
        Assert.Single(rows, r => r[1] == "1");
        Assert.Contains(rows, r => r[7] == first.PatientId);
        foreach (var r in rows)
        {
            var file = DicomFileReader.Open(Path.Combine(plain, r[0]));
            Assert.Equal(r[8], file.Dataset.GetString(DicomTags.StudyInstanceUID));
        }

        // The site's own numbers: evaluate reads the export at study level (n = 2: the CIs say how little that is).
        var report = Path.Combine(temp.Path, "report");
        (code, stdout, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "evaluate", "--data", plain, "--level", "study", "--out", report, "--bootstrap", "200"], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("level study", stdout, StringComparison.Ordinal);

        // De-identified: no PatientID, study UID or comment left anywhere in the export; the labels still link the slices.
        var deid = Path.Combine(temp.Path, "deid");
        (code, stdout, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "feedback", "export", "--data-dir", fx.Service.DataDir, "--out", deid, "--deidentify"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stdout + stderr);
        Assert.True(File.Exists(Path.Combine(fx.Service.DataDir, "deid.key")), "the site key stays in the data dir");
        Assert.False(File.Exists(Path.Combine(deid, "deid.key")), "the key never leaves with the export");
        foreach (var file in Directory.GetFiles(deid, "*", SearchOption.AllDirectories))
        {
            var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (var secret in new[] { first.PatientId, second.PatientId, first.Study, second.Study, "reader-comment-7f3a" })
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{Path.GetRelativePath(deid, file)} still holds an identifier");
            }
        }

        var deidRows = File.ReadAllLines(Path.Combine(deid, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(rows.Count, deidRows.Count);
        Assert.Equal(2, deidRows.Select(r => r[8]).Distinct().Count());
        Assert.All(deidRows, r => Assert.StartsWith("ANON-", r[7], StringComparison.Ordinal));
        foreach (var r in deidRows)
        {
            var ds = DicomFileReader.Open(Path.Combine(deid, r[0])).Dataset;
            Assert.Equal(r[8], ds.GetString(DicomTags.StudyInstanceUID));
            Assert.Equal("YES", ds.GetString(DicomTags.PatientIdentityRemoved));
        }

        // A second de-identified export maps the same way (the site key), and an existing folder is refused untouched.
        var again = Path.Combine(temp.Path, "deid2");
        Assert.Equal(0, ExternalTool.Run("dotnet", [ServiceProcess.Tool, "feedback", "export", "--data-dir", fx.Service.DataDir, "--out", again, "--deidentify"], TimeSpan.FromMinutes(2)).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(deid, "labels.csv")), File.ReadAllText(Path.Combine(again, "labels.csv")));
        (code, _, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "feedback", "export", "--data-dir", fx.Service.DataDir, "--out", plain], TimeSpan.FromMinutes(2));
        Assert.Equal(2, code);
        Assert.Contains("not empty", stderr, StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> PostAsync(string path, object body)
    {
        using var request = ServiceProcess.Request(HttpMethod.Post, path, fx.Keys["reader"]);
        request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await fx.Service.Http.SendAsync(request);
        return response.StatusCode;
    }
}
