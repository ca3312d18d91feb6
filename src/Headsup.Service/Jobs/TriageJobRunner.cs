using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Explain;
using Headsup.Dicom;
using Headsup.Series;
using Headsup.Service.Storage;
using Headsup.Triage;

namespace Headsup.Service.Jobs;

/// <summary>A job failed in a way that will not change on a retry (no usable series, not a head CT …).</summary>
public sealed class PermanentJobException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The job code both modes run: triage of one study version with the loaded model, exactly as `headsup detect` does
/// it (the same <see cref="StudyTriager.Run"/> over the same files), into a scratch folder that becomes the version's
/// result folder only when complete. Outputs of an attempt that does not commit are never visible.
/// </summary>
public sealed class TriageJobRunner(StudyTriager triager, IFileStore store, TriageOptions options)
{
    /// <summary>The model the runner uses (for health and results).</summary>
    public StudyTriager Triager => triager;

    /// <summary>Triage of the study's instances; returns the result ready to commit.</summary>
    /// <exception cref="PermanentJobException">The study cannot be triaged (the reason says why).</exception>
    public JobResult Run(JobRecord job, IReadOnlyList<string> instanceKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(instanceKeys);
        if (instanceKeys.Count == 0)
        {
            throw new PermanentJobException("the study has no received instances");
        }

        var scratch = store.NewScratchFolder();
        try
        {
            var input = LinkInputs(scratch, instanceKeys);
            var output = Path.Combine(scratch, "output");
            var results = triager.Run(input, output, options, progress: null, cancellationToken);
            var study = results.Studies.FirstOrDefault(s => s.StudyInstanceUid == job.StudyInstanceUid) ?? (results.Studies.Count > 0 ? results.Studies[0] : null);
            string? error = study is null ? "no DICOM study could be read from the received instances"
                : study.Probability is null ? (study.Error ?? "the study could not be scored") : null;

            // Generated SR and Secondary Captures: recorded with the result, stored under the version's result folder.
            var resultKey = $"results/{job.StudyInstanceUid}/v{job.Version}-{Guid.NewGuid():N}";
            var generated = new List<GeneratedInstance>();
            if (error is null && study is not null)
            {
                var files = new List<string>(study.Outputs.SecondaryCaptures);
                if (study.Outputs.StructuredReport is { } sr)
                {
                    files.Add(sr);
                }

                foreach (var relative in files)
                {
                    var path = Path.Combine(output, relative);
                    var bytes = File.ReadAllBytes(path);
                    var file = DicomFileReader.Parse(bytes, relative);
                    generated.Add(new GeneratedInstance(file.Dataset, file.TransferSyntax.Uid, resultKey + "/" + relative.Replace('\\', '/'), bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes))));
                }
            }

            var json = File.ReadAllText(Path.Combine(output, StudyTriager.ResultsFile));
            var target = store.LocalPath(resultKey);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            Directory.Move(output, target);
            return new JobResult(resultKey, json, study?.Probability, study?.Positive, error, generated);
        }
        catch (ScanInputException ex)
        {
            throw new PermanentJobException("the received instances could not be listed: " + ex.Message, ex);
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    /// <summary>
    /// The second overlay pass of a committed result: explains its key slices with <paramref name="method"/> (from the
    /// same stored instances) into <c>explain-&lt;method&gt;/</c> inside the result folder, with an
    /// <see cref="OverlayManifest"/> saying what is there (paths relative to the result folder) or why it failed. The
    /// folder appears whole or not at all. Cancelling leaves nothing (the pass runs again later); any other failure is
    /// recorded in the manifest so that it is not retried forever. Returns the manifest written, null when cancelled
    /// or when another worker got there first.
    /// </summary>
    public JsonObject? ExplainOverlays(CommittedResult result, IReadOnlyList<string> instanceKeys, ExplainMethod method, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(instanceKeys);
        var folder = OverlayPass.Folder(method);
        var target = store.LocalPath($"{result.ResultKey}/{folder}");
        if (Directory.Exists(target))
        {
            return null;
        }

        var scratch = store.NewScratchFolder();
        try
        {
            var output = Path.Combine(scratch, "result");
            var studyDir = Path.Combine(output, folder);
            Directory.CreateDirectory(studyDir);
            JsonObject manifest;
            try
            {
                manifest = Explain(result, instanceKeys, method, scratch, studyDir, output, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException or ScanInputException or InvalidDataException or DicomException or Headsup.Inputs.InputRecipeException or JsonException)
            {
                foreach (var file in Directory.EnumerateFiles(studyDir))
                {
                    File.Delete(file);
                }

                manifest = OverlayPass.Failed(method, ex.Message);
            }

            File.WriteAllText(Path.Combine(studyDir, OverlayPass.Manifest), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            try
            {
                Directory.Move(studyDir, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                return null; // another worker's pass landed first
            }

            return manifest;
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private JsonObject Explain(CommittedResult result, IReadOnlyList<string> instanceKeys, ExplainMethod method, string scratch, string studyDir, string output, CancellationToken cancellationToken)
    {
        var entry = StudyEntry(result.ResultJson);
        string? series = entry is { } e && e.TryGetProperty("series_instance_uid", out var s) ? s.GetString() : null;
        var keys = entry is { } e2 && e2.TryGetProperty("key_slices", out var k) && k.ValueKind == JsonValueKind.Array
            ? k.EnumerateArray().Select(x => x.GetProperty("sop_instance_uid").GetString()!).ToList()
            : [];
        if (series is null || keys.Count == 0)
        {
            return OverlayPass.Failed(method, "the result has no key slices to explain");
        }

        var scan = StudyScanner.Scan(LinkInputs(scratch, instanceKeys), options.Scan, progress: null, cancellationToken);
        var study = scan.Studies.FirstOrDefault(x => x.StudyInstanceUid == result.Job.StudyInstanceUid);
        var explained = study is null ? null : triager.ExplainKeySlices(study, series, keys, method, options, studyDir, output, cancellationToken);
        if (explained is null)
        {
            return OverlayPass.Failed(method, "the result's series or key slices are no longer among the stored instances");
        }

        return new JsonObject
        {
            ["method"] = explained.Method,
            ["status"] = "done",
            ["precision"] = explained.Precision,
            ["seconds"] = explained.Seconds,
            ["slices"] = new JsonArray(explained.Slices.Select(k => (JsonNode)new JsonObject
            {
                ["sop_instance_uid"] = k.SopInstanceUid,
                ["overlay"] = k.Overlay,
                ["heatmap"] = k.Heatmap,
            }).ToArray()),
        };
    }

    /// <summary>
    /// The input of a job or a pass: the study's snapshot as links to the stored files, in a folder of
    /// <paramref name="scratch"/> (later instances make a new version, not a change here).
    /// </summary>
    private string LinkInputs(string scratch, IReadOnlyList<string> instanceKeys)
    {
        var input = Path.Combine(scratch, "input");
        Directory.CreateDirectory(input);
        for (int i = 0; i < instanceKeys.Count; i++)
        {
            File.CreateSymbolicLink(Path.Combine(input, $"{i:00000}.dcm"), store.LocalPath(instanceKeys[i]));
        }

        return input;
    }

    /// <summary>Deletes a result folder of an attempt that did not commit.</summary>
    public void Discard(JobResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        try
        {
            store.Delete(result.ResultKey);
        }
        catch (IOException)
        {
            // unreferenced; harmless
        }
    }

    /// <summary>Reads the study entry of a committed results.json.</summary>
    public static JsonElement? StudyEntry(string resultsJson)
    {
        using var doc = JsonDocument.Parse(resultsJson);
        return doc.RootElement.TryGetProperty("studies", out var studies) && studies.GetArrayLength() > 0 ? studies[0].Clone() : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // swept on the next start
        }
    }
}
