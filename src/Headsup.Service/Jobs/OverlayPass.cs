using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Explain;
using Headsup.Service.Data;
using Headsup.Service.Storage;
using Headsup.Triage;

namespace Headsup.Service.Jobs;

/// <summary>
/// The second overlay pass (<see cref="ServiceOptions.OverlayExplain"/>) as it lies in the store: a result folder's
/// <c>explain-&lt;method&gt;/</c> with its <see cref="Manifest"/> (written by <see cref="TriageJobRunner.ExplainOverlays"/>),
/// and the claim file that keeps idle workers sharing a store from explaining the same study twice. One place for the
/// rule that turns the pass on, its layout, and reading it back for the API.
/// </summary>
public static class OverlayPass
{
    /// <summary>File in a pass's folder that describes it (its presence means the pass is over: done or failed).</summary>
    public const string Manifest = "explanation.json";

    /// <summary>How long a claim holds without being released (a worker that died mid-pass).</summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The method of the pass, or null when it is off: <c>none</c>, or the same method the result already carries
    /// (<see cref="ServiceOptions.Explain"/>).
    /// </summary>
    /// <exception cref="ServiceConfigurationException">An unknown method name.</exception>
    public static ExplainMethod? Method(ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var method = ModelHolder.ParseExplain(options.OverlayExplain, "--overlay-explain");
        return method is null || method == ModelHolder.ParseExplain(options.Explain) ? null : method;
    }

    /// <summary>Folder, inside a result folder, of the pass with <paramref name="method"/>.</summary>
    public static string Folder(ExplainMethod method) => "explain-" + StudyTriager.MethodName(method);

    /// <summary>Whether the pass with <paramref name="method"/> is over (done or failed) for a result folder.</summary>
    public static bool IsOver(IFileStore store, string resultKey, ExplainMethod method)
    {
        ArgumentNullException.ThrowIfNull(store);
        return File.Exists(store.LocalPath($"{resultKey}/{Folder(method)}/{Manifest}"));
    }

    /// <summary>
    /// The pass of a result as the study detail shows it: its manifest when over ("done" with per key slice the
    /// overlay and heatmap paths, relative to the result folder, or "failed" with why), "pending" before, "off" when the
    /// pass is not configured.
    /// </summary>
    public static JsonObject Read(IFileStore store, string resultKey, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ExplainMethod? method;
        try
        {
            method = Method(options);
        }
        catch (ServiceConfigurationException)
        {
            method = null; // a worker would not have started with it
        }

        if (method is not { } m)
        {
            return new JsonObject { ["method"] = options.Explain, ["status"] = "off" };
        }

        var manifest = store.LocalPath($"{resultKey}/{Folder(m)}/{Manifest}");
        try
        {
            if (File.Exists(manifest) && JsonNode.Parse(File.ReadAllText(manifest)) is JsonObject over)
            {
                return over;
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return Failed(m, "the overlay manifest cannot be read");
        }

        return new JsonObject { ["method"] = StudyTriager.MethodName(m), ["status"] = "pending" };
    }

    /// <summary>The manifest of a pass that failed for good.</summary>
    public static JsonObject Failed(ExplainMethod method, string error) =>
        new() { ["method"] = StudyTriager.MethodName(method), ["status"] = "failed", ["error"] = error };

    /// <summary>
    /// Claims the pass of a result for <paramref name="worker"/>: a claim file beside the pass's folder, created
    /// exclusively; a claim older than <see cref="ClaimLifetime"/> is taken over. False when another worker holds it or
    /// the result folder is gone.
    /// </summary>
    public static bool TryClaim(IFileStore store, string resultKey, ExplainMethod method, string worker)
    {
        ArgumentNullException.ThrowIfNull(store);
        var claim = ClaimPath(store, resultKey, method);
        try
        {
            if (File.Exists(claim))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(claim) < ClaimLifetime)
                {
                    return false;
                }

                File.Delete(claim);
            }

            using var file = new FileStream(claim, FileMode.CreateNew, FileAccess.Write);
            file.Write(System.Text.Encoding.UTF8.GetBytes(worker));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // another worker created it first, or the result folder is gone
        }
    }

    /// <summary>Releases a claim made by <see cref="TryClaim"/>.</summary>
    public static void Release(IFileStore store, string resultKey, ExplainMethod method)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            File.Delete(ClaimPath(store, resultKey, method));
        }
        catch (IOException)
        {
            // it expires
        }
    }

    private static string ClaimPath(IFileStore store, string resultKey, ExplainMethod method) => store.LocalPath($"{resultKey}/{Folder(method)}.claim");
}
