using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Core.IO;

namespace Headsup.Deidentification.Batch;

/// <summary>
/// deidentification.json: the profile, options and codes used, the counts, and every input skipped or failed with its
/// reason. It holds no original identifier (inputs are named by their path relative to the input, as given) and no key
/// (only <see cref="Deidentifier.KeyId"/>, a fingerprint).
/// </summary>
public static class DeidentificationReport
{
    /// <summary>The file name written into the output folder.</summary>
    public const string FileName = "deidentification.json";

    /// <summary>Builds the report.</summary>
    /// <param name="deidentifier">The de-identifier the batch ran with.</param>
    /// <param name="summary">What the batch did.</param>
    /// <param name="inputsScanned">How many files or archive entries were looked at (including those that were not DICOM).</param>
    /// <param name="scanFailures">Inputs that failed before de-identification (not DICOM, unreadable header, refused archive).</param>
    /// <param name="scanSkipped">Inputs left out on purpose before de-identification (DICOMDIR, link loops).</param>
    public static JsonObject Create(Deidentifier deidentifier, DeidentificationSummary summary, int inputsScanned,
        IReadOnlyList<DeidentificationIssue> scanFailures, IReadOnlyList<DeidentificationIssue> scanSkipped)
    {
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(scanFailures);
        ArgumentNullException.ThrowIfNull(scanSkipped);
        var options = deidentifier.Options;
        var skipped = scanSkipped.Concat(summary.Skipped).ToList();
        var failed = scanFailures.Concat(summary.Failed).ToList();
        return new JsonObject
        {
            ["profile"] = Deidentifier.ProfileName,
            ["software"] = Deidentifier.SoftwareName,
            ["method_codes"] = new JsonArray(deidentifier.MethodCodes.Select(c => (JsonNode)new JsonObject
            {
                ["code_value"] = c.Value,
                ["coding_scheme_designator"] = DeidentificationCode.Scheme,
                ["code_meaning"] = c.Meaning,
            }).ToArray()),
            ["options"] = new JsonObject
            {
                ["shift_dates"] = options.ShiftDates,
                ["date_shift_days"] = options.ShiftDates ? new JsonArray(1, options.MaxDateShiftDays) : null,
                ["uids"] = "2.25 UIDs from HMAC-SHA256 of the original UID under the site key",
                ["patient_id"] = "ANON- and 16 hex digits of HMAC-SHA256 of the Patient ID under the site key; Patient Name is the same, as family name",
                ["private_attributes"] = "removed",
                ["burned_in_annotation"] = "files with Burned In Annotation YES are skipped (no pixel cleaning)",
                ["key_id"] = deidentifier.KeyId,
            },
            ["counts"] = new JsonObject
            {
                ["inputs_scanned"] = inputsScanned,
                ["written"] = summary.Written.Count,
                ["skipped"] = skipped.Count,
                ["failed"] = failed.Count,
                ["patients"] = summary.Patients,
                ["studies"] = summary.Studies,
                ["series"] = summary.Series,
            },
            ["skipped"] = Issues(skipped),
            ["failed"] = Issues(failed),
        };
    }

    /// <summary>Writes the report to <c>&lt;outputFolder&gt;/deidentification.json</c> atomically; returns the path.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static string Write(string outputFolder, JsonObject report)
    {
        ArgumentNullException.ThrowIfNull(outputFolder);
        ArgumentNullException.ThrowIfNull(report);
        var path = Path.GetFullPath(Path.Combine(outputFolder, FileName));
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
        return path;
    }

    private static JsonArray Issues(IEnumerable<DeidentificationIssue> issues) =>
        new(issues.Select(i => (JsonNode)new JsonObject { ["file"] = i.Name, ["reason"] = i.Reason }).ToArray());
}
