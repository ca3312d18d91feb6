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
            // The input is the job's snapshot of the study: links to the stored files (later instances make a new version).
            var input = Path.Combine(scratch, "input");
            Directory.CreateDirectory(input);
            for (int i = 0; i < instanceKeys.Count; i++)
            {
                File.CreateSymbolicLink(Path.Combine(input, $"{i:00000}.dcm"), store.LocalPath(instanceKeys[i]));
            }

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

    /// <summary>File in an overlay pass's folder that describes it (its presence means the pass is over).</summary>
    public const string OverlayManifest = "explanation.json";

    /// <summary>Folder, inside a result folder, of the second overlay pass with <paramref name="method"/>.</summary>
    public static string OverlayFolder(ExplainMethod method) => "explain-" + StudyTriager.MethodName(method);

    /// <summary>The store the runner reads instances from and writes results to.</summary>
    public IFileStore Store => store;

    /// <summary>Whether the overlay pass with <paramref name="method"/> is over (done or failed) for a result folder.</summary>
    public bool HasOverlays(string resultKey, ExplainMethod method) =>
        File.Exists(store.LocalPath($"{resultKey}/{OverlayFolder(method)}/{OverlayManifest}"));

    /// <summary>How long a claim on an overlay pass holds without being released (a worker that died mid-pass).</summary>
    public static readonly TimeSpan OverlayClaimLifetime = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Claims the overlay pass of a result for <paramref name="worker"/>, so that idle workers sharing a store do not
    /// all explain the same study: a claim file next to the pass's folder, created exclusively; a claim older than
    /// <see cref="OverlayClaimLifetime"/> is taken over. False when another worker holds it.
    /// </summary>
    public static bool TryClaimOverlays(IFileStore store, string resultKey, ExplainMethod method, string worker)
    {
        ArgumentNullException.ThrowIfNull(store);
        var claim = store.LocalPath($"{resultKey}/{OverlayFolder(method)}.claim");
        try
        {
            if (File.Exists(claim))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(claim) < OverlayClaimLifetime)
                {
                    return false;
                }

                File.Delete(claim);
            }

            using var file = new FileStream(claim, FileMode.CreateNew, FileAccess.Write);
            file.Write(System.Text.Encoding.UTF8.GetBytes(worker));
            return true;
        }
        catch (IOException)
        {
            return false; // another worker created it first, or the result folder is gone
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Releases a claim made by <see cref="TryClaimOverlays"/>.</summary>
    public static void ReleaseOverlays(IFileStore store, string resultKey, ExplainMethod method)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            File.Delete(store.LocalPath($"{resultKey}/{OverlayFolder(method)}.claim"));
        }
        catch (IOException)
        {
            // it expires
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
        var folder = OverlayFolder(method);
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

                manifest = new JsonObject { ["method"] = StudyTriager.MethodName(method), ["status"] = "failed", ["error"] = ex.Message };
            }

            File.WriteAllText(Path.Combine(studyDir, OverlayManifest), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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
            return new JsonObject { ["method"] = StudyTriager.MethodName(method), ["status"] = "failed", ["error"] = "the result has no key slices to explain" };
        }

        var input = Path.Combine(scratch, "input");
        Directory.CreateDirectory(input);
        for (int i = 0; i < instanceKeys.Count; i++)
        {
            File.CreateSymbolicLink(Path.Combine(input, $"{i:00000}.dcm"), store.LocalPath(instanceKeys[i]));
        }

        var scan = StudyScanner.Scan(input, options.Scan, progress: null, cancellationToken);
        var study = scan.Studies.FirstOrDefault(x => x.StudyInstanceUid == result.Job.StudyInstanceUid);
        var explained = study is null ? null : triager.ExplainKeySlices(study, series, keys, method, options, studyDir, output, cancellationToken);
        if (explained is null)
        {
            return new JsonObject { ["method"] = StudyTriager.MethodName(method), ["status"] = "failed", ["error"] = "the result's series or key slices are no longer among the stored instances" };
        }

        var slices = new JsonArray();
        for (int i = 0; i < explained.SopInstanceUids.Count; i++)
        {
            slices.Add(new JsonObject
            {
                ["sop_instance_uid"] = explained.SopInstanceUids[i],
                ["overlay"] = explained.Overlays[i].Replace('\\', '/'),
                ["heatmap"] = explained.Heatmaps[i].Replace('\\', '/'),
            });
        }

        return new JsonObject
        {
            ["method"] = explained.Method,
            ["status"] = "done",
            ["precision"] = explained.Precision,
            ["seconds"] = explained.Seconds,
            ["overlays"] = new JsonArray(explained.Overlays.Select(o => (JsonNode)o.Replace('\\', '/')).ToArray()),
            ["heatmaps"] = new JsonArray(explained.Heatmaps.Select(h => (JsonNode)h.Replace('\\', '/')).ToArray()),
            ["slices"] = slices,
        };
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
