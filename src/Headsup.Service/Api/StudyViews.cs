using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Service.Data;
using Headsup.Service.Jobs;
using Headsup.Service.Storage;

namespace Headsup.Service.Api;

/// <summary>Builds the results API's JSON: the worklist entries and a study's detail (status, version, the study entry of results.json, links, versions, deliveries).</summary>
public static class StudyViews
{
    /// <summary>The fields that identify a patient, left out for users who may not see them (the viewer role).</summary>
    public static readonly IReadOnlyList<string> IdentifyingFields = ["patient_id", "patient_name", "accession_number"];

    /// <summary>A worklist entry; without patient identifiers unless <paramref name="identifiers"/>.</summary>
    public static JsonObject Summary(StudyRow s, bool identifiers = true)
    {
        ArgumentNullException.ThrowIfNull(s);
        var summary = new JsonObject
        {
            ["study_instance_uid"] = s.StudyInstanceUid,
            ["status"] = s.Status,
            ["decision"] = Decision(s),
            ["positive"] = s.Positive,
            ["probability"] = s.Probability,
            ["version"] = s.ResultVersion,
            ["received_instances"] = s.ReceivedInstances,
            ["first_received"] = Iso(s.FirstReceived),
            ["last_received"] = Iso(s.LastReceived),
            ["patient_id"] = s.PatientId,
            ["patient_name"] = s.PatientName,
            ["accession_number"] = s.Accession,
            ["study_date"] = s.StudyDate,
            ["study_description"] = s.StudyDescription,
            ["error"] = s.Error,
            ["subtypes"] = s.Subtypes is { } st ? JsonNode.Parse(st) : null,
            ["out_of_distribution_warning"] = s.OodWarning,
            ["time_to_result_seconds"] = s.ResultSeconds is { } seconds ? Math.Round(seconds, 2) : null,
            ["feedback"] = s.FeedbackAt is { } at
                ? new JsonObject { ["agree"] = s.FeedbackAgree, ["hemorrhage"] = s.FeedbackHemorrhage, ["by"] = s.FeedbackBy, ["at"] = Iso(at) }
                : null,
            ["links"] = new JsonObject { ["self"] = $"/api/studies/{s.StudyInstanceUid}" },
        };
        if (!identifiers)
        {
            foreach (var field in IdentifyingFields)
            {
                summary.Remove(field);
            }
        }

        return summary;
    }

    /// <summary>
    /// "ich_likely", "no_ich_flagged", "no_decision" (scored, but the model's study calibration rests on too few real
    /// studies to decide: results.json says calibration "insufficient real data"), or null (not scored yet, or failed).
    /// </summary>
    public static string? Decision(StudyRow s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Decision(s.Positive, s.Status == "done" && s.Probability is not null);
    }

    /// <summary>The decision word for a result's <c>positive</c>; <paramref name="scored"/> tells "no decision" from "no result".</summary>
    public static string? Decision(bool? positive, bool scored) => positive switch
    {
        true => "ich_likely",
        false => "no_ich_flagged",
        null when scored => "no_decision",
        null => null,
    };

    /// <summary>
    /// The second overlay pass of a study's current result (<see cref="ServiceOptions.OverlayExplain"/>): "done" with
    /// its overlays and heatmaps (paths relative to the result folder), "failed" with why, "pending" while the workers
    /// have not reached it, or "off"; null when there is no result.
    /// </summary>
    public static JsonObject? OverlayExplanation(StudyRow s, IReadOnlyList<JobRow> versions, IFileStore store, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var current = versions.FirstOrDefault(v => v.Version == s.ResultVersion);
        if (current is not { Status: "done", ResultPath: { } resultPath })
        {
            return null;
        }

        return OverlayPass.Read(store, resultPath, options);
    }

    /// <summary>A study's detail: the summary, the current result's study entry flattened in, every version and delivery.</summary>
    public static JsonObject Detail(StudyRow s, IReadOnlyList<JobRow> versions, IReadOnlyList<DeliveryRow> deliveries, bool identifiers = true, JsonObject? overlayExplanation = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(deliveries);
        var detail = Summary(s, identifiers);
        var current = versions.FirstOrDefault(v => v.Version == s.ResultVersion);
        if (current?.ResultJson is { } json)
        {
            var root = JsonNode.Parse(json)!.AsObject();
            if (root["studies"] is JsonArray { Count: > 0 } studies && studies[0] is JsonObject entry)
            {
                foreach (var (key, value) in entry.ToList())
                {
                    if ((!detail.ContainsKey(key) && (identifiers || !IdentifyingFields.Contains(key))) || key is "probability" or "positive" or "subtypes")
                    {
                        detail[key] = value?.DeepClone();
                    }
                }
            }

            detail["model"] = root["model"]?.DeepClone();
            detail["disclaimer"] = root["disclaimer"]?.DeepClone();
            var files = new JsonArray();
            if (detail["outputs"] is JsonObject outputs)
            {
                foreach (var (_, list) in outputs)
                {
                    if (list is JsonArray array)
                    {
                        foreach (var f in array)
                        {
                            files.Add($"/api/studies/{s.StudyInstanceUid}/versions/{current.Version}/files/{f}");
                        }
                    }
                    else if (list is JsonValue v && v.TryGetValue<string>(out var single))
                    {
                        files.Add($"/api/studies/{s.StudyInstanceUid}/versions/{current.Version}/files/{single}");
                    }
                }
            }

            if (overlayExplanation is not null)
            {
                detail["overlay_explanation"] = overlayExplanation;
            }

            detail["links"] = new JsonObject
            {
                ["self"] = $"/api/studies/{s.StudyInstanceUid}",
                ["results"] = $"/api/studies/{s.StudyInstanceUid}/versions/{current.Version}/results.json",
                ["dicomweb"] = $"/dicomweb/studies/{s.StudyInstanceUid}",
                ["files"] = files,
            };
        }

        detail["status"] = s.Status;
        detail["version"] = s.ResultVersion;
        detail["current_version"] = s.CurrentVersion;
        detail["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject
        {
            ["version"] = v.Version,
            ["status"] = v.Status,
            ["instances"] = v.Instances,
            ["attempts"] = v.Attempts,
            ["max_attempts"] = v.MaxAttempts,
            ["error"] = v.Error,
            ["created"] = Iso(v.Created),
            ["started"] = v.Started is { } st ? Iso(st) : null,
            ["finished"] = v.Finished is { } f ? Iso(f) : null,
            ["probability"] = v.ResultJson is { } rj ? TriageJobRunner.StudyEntry(rj) is { } e && e.TryGetProperty("probability", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null : null,
            ["current"] = v.Version == s.ResultVersion,
            ["files"] = v.ResultPath is null ? null : $"/api/studies/{s.StudyInstanceUid}/versions/{v.Version}/files/",
            ["worker"] = v.Worker,
        }).ToArray());
        detail["deliveries"] = new JsonArray(deliveries.Select(d => (JsonNode)new JsonObject
        {
            ["kind"] = d.Kind,
            ["target"] = d.Kind == "stow" ? d.Target : "webhook",
            ["status"] = d.Status,
            ["attempts"] = d.Attempts,
            ["last_error"] = d.LastError,
            ["response_status"] = d.ResponseStatus,
        }).ToArray());
        detail["not_for_clinical_use"] = true;
        return detail;
    }

    /// <summary>Milliseconds → ISO 8601 UTC.</summary>
    public static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
