using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Deidentification;
using Headsup.Dicom;
using Headsup.Service.Data;
using Headsup.Service.Jobs;
using Headsup.Service.Storage;

namespace Headsup.Service.Feedback;

/// <summary>What to export.</summary>
public sealed record FeedbackExportOptions
{
    /// <summary>The folder to create (must not exist, or be empty).</summary>
    public required string OutDir { get; init; }

    /// <summary>De-identify the DICOM files and the labels (PS3.15 Basic Application Level Confidentiality Profile).</summary>
    public bool Deidentify { get; init; }

    /// <summary>The de-identification key (required with <see cref="Deidentify"/>).</summary>
    public byte[]? Key { get; init; }

    /// <summary>Shift dates by a per-patient offset instead of removing them.</summary>
    public bool ShiftDates { get; init; }

    /// <summary>The labels' source column.</summary>
    public string Source { get; init; } = "site-feedback";
}

/// <summary>The export's outcome.</summary>
/// <param name="Studies">Studies exported.</param>
/// <param name="Files">DICOM files written.</param>
/// <param name="SliceLabels">Slices labelled individually by readers.</param>
/// <param name="Positive">Studies the readers say bleed.</param>
/// <param name="Problems">Studies or files left out, and why (no patient identifiers).</param>
/// <param name="LabelsPath">labels.csv.</param>
public sealed record FeedbackExportSummary(int Studies, int Files, int SliceLabels, int Positive, IReadOnlyList<string> Problems, string LabelsPath);

/// <summary>An export that cannot be made at all (the output folder, the key); per-study problems are listed in the summary instead.</summary>
public sealed class FeedbackExportException(string message) : Exception(message);

/// <summary>
/// Turns readers' feedback into a labelled data set that `headsup evaluate` and `headsup train` read:
/// <c>labels.csv</c> (file, any, the five subtypes, patient_id, study_id, series_id, source, study_any) and
/// <c>dicom/&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm</c>, one row per slice of the series the result analysed. The
/// latest feedback of a study gives its label: study_any is the reader's hemorrhage yes/no (agreeing with a flag, or
/// disagreeing with "no ICH flagged", means bleeding); `any` is filled only on slices a reader labelled (a negative
/// study's other slices are negatives by the loader's rule; a positive study's unlabelled slices carry no slice label).
/// The whole export is written into a staging folder and renamed into place, so it is complete or absent.
/// </summary>
public sealed class FeedbackExporter(Db db, IFileStore store, FeedbackStore feedback)
{
    /// <summary>The labels header, exactly.</summary>
    public const string Header = "file,any,epidural,intraparenchymal,intraventricular,subarachnoid,subdural,patient_id,study_id,series_id,source,study_any";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>Writes the export.</summary>
    /// <exception cref="FeedbackExportException">The output folder exists and is not empty, or de-identification has no key.</exception>
    public async Task<FeedbackExportSummary> ExportAsync(FeedbackExportOptions options, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var outDir = Path.GetFullPath(options.OutDir);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            throw new FeedbackExportException($"{options.OutDir}: exists and is not empty; give a new folder");
        }

        if (options.Deidentify && options.Key is not { Length: > 0 })
        {
            throw new FeedbackExportException("de-identification needs a key");
        }

        var deidentifier = options.Deidentify ? new Deidentifier(new DeidentificationOptions { Key = options.Key!, ShiftDates = options.ShiftDates }) : null;
        var latest = (await feedback.ListAsync(null, cancellationToken).ConfigureAwait(false))
            .GroupBy(f => f.StudyInstanceUid).Select(g => g.First()).OrderBy(f => f.Created).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(outDir)!);
        var staging = outDir + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        var problems = new List<string>();
        var csv = new StringBuilder(Header).Append('\n');
        var exported = new List<object>();
        int studies = 0, files = 0, sliceLabels = 0, positive = 0;
        try
        {
            for (int n = 0; n < latest.Count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report((n, latest.Count));
                var entry = latest[n];
                string label = $"study {n + 1} of {latest.Count}";
                if (entry.Hemorrhage is not { } bleeding)
                {
                    problems.Add($"{label}: the feedback has no hemorrhage label (the result it refers to had no decision)");
                    continue;
                }

                var slices = await SlicesAsync(entry, cancellationToken).ConfigureAwait(false);
                if (slices is null)
                {
                    problems.Add($"{label}: its result (version {entry.Version}) is no longer stored");
                    continue;
                }

                var labels = entry.Slices.GroupBy(s => s.SopInstanceUid).ToDictionary(g => g.Key, g => g.Last().Hemorrhage, StringComparer.Ordinal);
                int written = 0;
                var rows = new StringBuilder();
                foreach (var (sop, path, patientId) in slices)
                {
                    string relative, study, series, patient;
                    try
                    {
                        if (deidentifier is not null)
                        {
                            var file = deidentifier.DeidentifyInto(store.LocalPath(path), Path.Combine(staging, "dicom"));
                            relative = Path.GetRelativePath(staging, file.OutputPath).Replace('\\', '/');
                            (study, series, patient) = (file.Ids.StudyInstanceUid, file.Ids.SeriesInstanceUid, file.Ids.PatientId);
                        }
                        else
                        {
                            var header = DicomFileReader.Open(store.LocalPath(path), new DicomReadOptions { StopAtPixelData = true }).Dataset;
                            (study, series, patient) = (entry.StudyInstanceUid, header.GetString(DicomTags.SeriesInstanceUID), patientId);
                            relative = $"dicom/{Safe(study)}/{Safe(series)}/{Safe(sop)}.dcm";
                            var target = Path.Combine(staging, relative);
                            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                            using (var source = store.OpenRead(path) ?? throw new FileNotFoundException("the stored instance is missing"))
                            using (var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                            {
                                await source.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
                                copy.Flush(flushToDisk: true);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is DicomException or IOException or InvalidOperationException)
                    {
                        problems.Add($"{label}, slice {written + 1}: left out: {(ex is DeidentificationException d ? d.Reason : ex.Message)}");
                        continue;
                    }

                    string any = string.Empty, subtypes = ",,,,";
                    if (labels.TryGetValue(sop, out var sliceBleeds))
                    {
                        any = sliceBleeds ? "1" : "0";
                        subtypes = sliceBleeds ? ",,,," : "0,0,0,0,0";
                        sliceLabels++;
                    }
                    else if (!bleeding)
                    {
                        subtypes = "0,0,0,0,0";
                    }

                    rows.Append(Csv(relative)).Append(',').Append(any).Append(',').Append(subtypes).Append(',')
                        .Append(Csv(patient)).Append(',').Append(Csv(study)).Append(',').Append(Csv(series)).Append(',')
                        .Append(Csv(options.Source)).Append(',').Append(bleeding ? '1' : '0').Append('\n');
                    written++;
                }

                if (written == 0)
                {
                    problems.Add($"{label}: no slice could be exported");
                    continue;
                }

                csv.Append(rows);
                files += written;
                studies++;
                positive += bleeding ? 1 : 0;
                exported.Add(new
                {
                    study_instance_uid = deidentifier is null ? entry.StudyInstanceUid : deidentifier.MapUid(entry.StudyInstanceUid),
                    version = entry.Version,
                    hemorrhage = bleeding,
                    agree = entry.Agree,
                    subtypes = entry.Subtypes,
                    slice_labels = entry.Slices.Count,
                    by = entry.Actor,
                    at = Api.StudyViews.Iso(entry.Created),
                    // Free text may name the patient: it stays at the site when the export is de-identified.
                    comment = deidentifier is null ? entry.Comment : null,
                    slices = written,
                });
            }

            progress?.Report((latest.Count, latest.Count));
            await File.WriteAllTextAsync(Path.Combine(staging, "labels.csv"), csv.ToString(), cancellationToken).ConfigureAwait(false);
            var manifest = new
            {
                format = "headsup-feedback-export",
                format_version = 1,
                created = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                not_for_clinical_use = true,
                studies,
                files,
                positive_studies = positive,
                slice_labels = sliceLabels,
                deidentified = deidentifier is not null,
                deidentification = deidentifier is null ? null : new { profile = Deidentifier.ProfileName, shift_dates = options.ShiftDates, key_id = deidentifier.KeyId },
                labels = "labels.csv: one row per slice; study_any is the reader's study label; any only where a reader labelled the slice",
                feedback = exported,
                problems,
            };
            await File.WriteAllTextAsync(Path.Combine(staging, "export.json"), JsonSerializer.Serialize(manifest, s_indented), cancellationToken).ConfigureAwait(false);
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir);
            }

            Directory.Move(staging, outDir);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }

        return new FeedbackExportSummary(studies, files, sliceLabels, positive, problems, Path.Combine(outDir, "labels.csv"));
    }

    // The slices of the series the feedback's result analysed: SOP Instance UID, store key and the study's PatientID.
    private async Task<List<(string Sop, string Path, string PatientId)>?> SlicesAsync(FeedbackEntry entry, CancellationToken cancellationToken)
    {
        var json = await db.QueryAsync("SELECT result_json FROM jobs WHERE study_uid = @study AND version = @version AND status = 'done'",
            r => Db.Text(r, "result_json"), new { study = entry.StudyInstanceUid, version = entry.Version ?? -1 }, cancellationToken).ConfigureAwait(false);
        if (json.Count == 0 || json[0] is null || TriageJobRunner.StudyEntry(json[0]!) is not { } result || !result.TryGetProperty("slices", out var slices))
        {
            return null;
        }

        var instances = (await db.QueryAsync("SELECT sop_uid, path FROM instances WHERE study_uid = @study AND origin = 'received'",
            r => (Sop: r.GetString(0), Path: r.GetString(1)), new { study = entry.StudyInstanceUid }, cancellationToken).ConfigureAwait(false))
            .ToDictionary(i => i.Sop, i => i.Path, StringComparer.Ordinal);
        var patient = (await db.QueryAsync("SELECT patient_id FROM studies WHERE study_uid = @study", r => Db.Text(r, "patient_id") ?? string.Empty,
            new { study = entry.StudyInstanceUid }, cancellationToken).ConfigureAwait(false)).FirstOrDefault() ?? string.Empty;
        var list = new List<(string, string, string)>();
        foreach (var s in slices.EnumerateArray())
        {
            if (s.GetProperty("sop_instance_uid").GetString() is { } sop && instances.TryGetValue(sop, out var path))
            {
                list.Add((sop, path, patient));
            }
        }

        return list;
    }

    private static string Safe(string uid) => string.Concat(uid.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'));

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // left for the operator; the export itself was not made
        }
    }
}
