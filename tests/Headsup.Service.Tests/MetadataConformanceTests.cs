using System.Net;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>WADO-RS metadata against an independent reference: pydicom's DICOM JSON (Dataset.to_json_dict) of the same file.</summary>
public sealed class MetadataConformanceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Reference = """
        import json, sys, pydicom
        ds = pydicom.dcmread(sys.argv[1])
        print(json.dumps(ds.to_json_dict(bulk_data_threshold=1024, bulk_data_element_handler=lambda e: "BULK")))
        """;

    [SkippableFact]
    public async Task Metadata_PhantomAndRealInstances_MatchPydicom()
    {
        ExternalTool.Require(ExternalTool.DebianPython);
        var files = new List<string> { fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First().Value[3] };
        if (TestData.SharedDataRoot is { } shared && Directory.Exists(Path.Combine(shared, "real-ct-dev", "studies", "rsna-712bcb4e")))
        {
            files.Add(Directory.GetFiles(Path.Combine(shared, "real-ct-dev", "studies", "rsna-712bcb4e"), "*.dcm").Order(StringComparer.Ordinal).First());
        }

        var script = Path.Combine(fixture.Temp, "to_json.py");
        File.WriteAllText(script, Reference);
        foreach (var file in files)
        {
            var ds = DicomFileReader.Open(file, new DicomReadOptions { StopAtPixelData = true }).Dataset;
            string study = ds.GetString(DicomTags.StudyInstanceUID), series = ds.GetString(DicomTags.SeriesInstanceUID), sop = ds.GetString(DicomTags.SOPInstanceUID);
            var stow = await fixture.Service.StowAsync(fixture.IngestKey, [(File.ReadAllBytes(file), "application/dicom")]);
            Assert.Equal(HttpStatusCode.OK, stow.Status);
            var (status, ours) = await fixture.Service.GetJsonAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}/metadata", fixture.ReaderKey);
            Assert.Equal(HttpStatusCode.OK, status);
            var (code, stdout, stderr) = ExternalTool.Run(ExternalTool.DebianPython, [script, file], TimeSpan.FromMinutes(1));
            Assert.True(code == 0, stderr);
            var reference = JsonDocument.Parse(stdout).RootElement;
            Compare(reference, Assert.Single(ours.EnumerateArray()), Path.GetFileName(file));
        }
    }

    private static void Compare(JsonElement reference, JsonElement ours, string where)
    {
        var refKeys = reference.EnumerateObject().Select(p => p.Name).ToList();
        var ourKeys = ours.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(refKeys.Order(StringComparer.Ordinal), ourKeys.Order(StringComparer.Ordinal));
        foreach (var key in refKeys)
        {
            var r = reference.GetProperty(key);
            var o = ours.GetProperty(key);
            var at = $"{where} {key}";
            Assert.True(r.GetProperty("vr").GetString() == o.GetProperty("vr").GetString(), $"{at}: VR {r.GetProperty("vr")} vs {o.GetProperty("vr")}");
            if (r.TryGetProperty("BulkDataURI", out _))
            {
                Assert.True(o.TryGetProperty("BulkDataURI", out _), $"{at}: bulk data expected");
                continue;
            }

            if (r.TryGetProperty("InlineBinary", out var rb))
            {
                Assert.True(o.TryGetProperty("InlineBinary", out var ob) && ob.GetString() == rb.GetString(), $"{at}: InlineBinary differs");
                continue;
            }

            if (!r.TryGetProperty("Value", out var rv))
            {
                Assert.False(o.TryGetProperty("Value", out var unexpected) && unexpected.GetArrayLength() > 0, $"{at}: unexpected value {unexpected}");
                continue;
            }

            Assert.True(o.TryGetProperty("Value", out var ov), $"{at}: value missing");
            Assert.True(rv.GetArrayLength() == ov.GetArrayLength(), $"{at}: {rv} vs {ov}");
            for (int i = 0; i < rv.GetArrayLength(); i++)
            {
                var a = rv[i];
                var b = ov[i];
                if (r.GetProperty("vr").GetString() == "SQ")
                {
                    Compare(a, b, $"{at}[{i}]");
                }
                else if (a.ValueKind == JsonValueKind.Number)
                {
                    Assert.True(b.ValueKind == JsonValueKind.Number && Math.Abs(a.GetDouble() - b.GetDouble()) <= 1e-9 * Math.Max(1, Math.Abs(a.GetDouble())), $"{at}: {a} vs {b}");
                }
                else
                {
                    Assert.True(JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b), $"{at}: {a} vs {b}");
                }
            }
        }
    }
}
