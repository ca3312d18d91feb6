using System.Security.Cryptography;
using System.Text.Json;
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
