using System.Globalization;
using System.Text.RegularExpressions;
using Headsup.Dicom;
using Headsup.Service.Data;
using Headsup.Service.Storage;
using Microsoft.Extensions.Logging;

namespace Headsup.Service.Intake;

/// <summary>What became of one part (STOW-RS part, upload file or zip entry).</summary>
/// <param name="Part">1-based position in the request.</param>
/// <param name="Name">The part's name in errors (part 3, or the zip entry name).</param>
/// <param name="SopClassUid">SOP Class UID when it could be read.</param>
/// <param name="SopInstanceUid">SOP Instance UID when it could be read.</param>
/// <param name="StudyInstanceUid">Study Instance UID when it could be read.</param>
/// <param name="SeriesInstanceUid">Series Instance UID when it could be read.</param>
/// <param name="FailureReason">Null when stored; else the PS3.18 failure reason (0xC000, 0xA700, 0xA900 …).</param>
/// <param name="Error">Why it failed, naming the part.</param>
/// <param name="Duplicate">The instance was already stored (nothing changed).</param>
public sealed record PartOutcome(int Part, string Name, string? SopClassUid, string? SopInstanceUid, string? StudyInstanceUid, string? SeriesInstanceUid, ushort? FailureReason, string? Error, bool Duplicate = false)
{
    /// <summary>Stored (or already stored).</summary>
    public bool Ok => FailureReason is null;
}

/// <summary>
/// Stores one DICOM instance: streams it to a temporary file (bounded), parses it with our reader, checks the UIDs and
/// the study limit, then moves it into place and records it in one transaction, so a crash leaves no visible partial
/// instance and a retry succeeds. A SOP Instance UID already stored is a duplicate (not stored again, no new version).
/// </summary>
public sealed partial class InstanceIntake(Db db, IFileStore store, ServiceOptions options, ServiceMetrics metrics, ILogger<InstanceIntake> log)
{
    /// <summary>PS3.18 failure reason: processing failure / cannot understand.</summary>
    public const ushort CannotUnderstand = 0xC000;

    /// <summary>PS3.18 failure reason: out of resources.</summary>
    public const ushort OutOfResources = 0xA700;

    /// <summary>PS3.18 failure reason: the instance's study does not match the request's study.</summary>
    public const ushort StudyMismatch = 0xA900;

    /// <summary>PS3.18 failure reason: SOP class not supported (not a DICOM Part 10 object we can use).</summary>
    public const ushort NotSupported = 0x0122;

    /// <summary>Stores the part in <paramref name="body"/> (stage and commit one part).</summary>
    public async Task<PartOutcome> AcceptAsync(Stream body, int part, string name, string? expectedStudy, CancellationToken cancellationToken)
    {
        var staged = await StageAsync(body, part, name, expectedStudy, cancellationToken).ConfigureAwait(false);
        return (await CommitAsync([staged], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Stage 1 of storing a part: streams it to a temporary file on the store's disk (flushed), parses it with our reader
    /// and keeps only the attributes to record (never the data set, so a batch holds no pixel data in memory).
    /// </summary>
    public async Task<StagedPart> StageAsync(Stream body, int part, string name, string? expectedStudy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        TempFile temp;
        try
        {
            temp = await store.ReceiveAsync(body, options.MaxPartBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (PartTooLargeException ex)
        {
            return StagedPart.Failed(Reject(part, name, OutOfResources, $"{name}: {ex.Message}", "too_large"));
        }
        catch (StoreFullException ex)
        {
            log.LogWarning("intake: store full: {Reason}", ex.Message);
            return StagedPart.Failed(Reject(part, name, OutOfResources, $"{name}: not stored: {ex.Message}", "store_full"));
        }
        catch (IOException ex) when (ex is not StoreFullException)
        {
            // The client went away or sent a broken body (truncated multipart): nothing was kept.
            return StagedPart.Failed(Reject(part, name, CannotUnderstand, $"{name}: the part could not be read to its end: {ex.Message}", "truncated"));
        }

        var failure = Parse(temp, part, name, expectedStudy, out var attributes);
        if (failure is not null)
        {
            temp.Dispose();
            return StagedPart.Failed(failure);
        }

        return new StagedPart(part, name, temp, attributes, null);
    }

    /// <summary>
    /// Stage 2: moves the staged files into place and records them in one transaction (one disk flush of the database
    /// for the whole batch). A SOP Instance UID already stored, or twice in the batch, is a duplicate. Returns the
    /// outcomes in the order of <paramref name="staged"/>; the staged temporary files are consumed.
    /// </summary>
    public async Task<List<PartOutcome>> CommitAsync(IReadOnlyList<StagedPart> staged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var outcomes = staged.Select(s => s.Failure).ToList();
        var pending = Enumerable.Range(0, staged.Count).Where(i => staged[i].Failure is null).ToList();
        if (pending.Count == 0)
        {
            return outcomes!;
        }

        long now = Db.Now();
        try
        {
            var results = await db.InTransactionAsync(async (c, t) =>
            {
                var decided = new Dictionary<int, string>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (int i in pending)
                {
                    var a = staged[i].Attributes!;
                    var existing = await Db.QueryAsync(c, t, "SELECT 1 FROM instances WHERE sop_uid = @sop", r => 1, new { sop = a.SopInstanceUid }, cancellationToken).ConfigureAwait(false);
                    if (existing.Count > 0 || !seen.Add(a.SopInstanceUid))
                    {
                        decided[i] = "duplicate";
                        continue;
                    }

                    if (!counts.TryGetValue(a.StudyInstanceUid, out var count))
                    {
                        var rows = await Db.QueryAsync(c, t, "SELECT received_instances FROM studies WHERE study_uid = @study", r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), new { study = a.StudyInstanceUid }, cancellationToken).ConfigureAwait(false);
                        count = rows.Count > 0 ? rows[0] : 0;
                    }

                    if (count >= options.MaxInstancesPerStudy)
                    {
                        decided[i] = "full";
                        continue;
                    }

                    counts[a.StudyInstanceUid] = count + 1;
                    var key = InstanceKey(a.StudyInstanceUid, a.SeriesInstanceUid, a.SopInstanceUid);
                    store.Commit(staged[i].Temp!, key);
                    await Db.ExecuteAsync(c, t, """
                        INSERT INTO studies (study_uid, study_hash, patient_id, patient_name, patient_birth_date, patient_sex, study_date, study_time,
                                             accession, study_description, study_id, referring, first_received, last_received, received_instances, pending, status, updated)
                        VALUES (@study, @hash, @pid, @pname, @birth, @sex, @date, @time, @acc, @desc, @sid, @ref, @now, @now, 1, 1, 'receiving', @now)
                        ON CONFLICT (study_uid) DO UPDATE SET last_received = @now, received_instances = studies.received_instances + 1,
                                             pending = 1, status = 'receiving', updated = @now
                        """,
                        new
                        {
                            study = a.StudyInstanceUid, hash = StudyHash.Of(a.StudyInstanceUid),
                            pid = a.PatientId, pname = a.PatientName, birth = a.PatientBirthDate, sex = a.PatientSex,
                            date = a.StudyDate, time = a.StudyTime, acc = a.Accession, desc = a.StudyDescription, sid = a.StudyId, @ref = a.Referring, now,
                        }, cancellationToken).ConfigureAwait(false);
                    await InsertInstanceAsync(c, t, a, key, staged[i].Temp!.Size, staged[i].Temp!.Sha256, "received", null, now, cancellationToken).ConfigureAwait(false);
                    decided[i] = "stored";
                }

                return decided;
            }, cancellationToken).ConfigureAwait(false);

            foreach (int i in pending)
            {
                var a = staged[i].Attributes!;
                var ok = new PartOutcome(staged[i].Part, staged[i].Name, a.SopClassUid, a.SopInstanceUid, a.StudyInstanceUid, a.SeriesInstanceUid, null, null);
                outcomes[i] = results[i] switch
                {
                    "duplicate" => ok with { Duplicate = true },
                    "full" => Reject(staged[i].Part, staged[i].Name, OutOfResources, $"{staged[i].Name}: the study already holds the maximum of {options.MaxInstancesPerStudy} instances", "study_full")
                        with { SopClassUid = a.SopClassUid, SopInstanceUid = a.SopInstanceUid, StudyInstanceUid = a.StudyInstanceUid },
                    _ => ok,
                };
            }

            metrics.InstancesReceived.Add(results.Count(r => r.Value == "stored"));
        }
        catch (Exception ex) when (ex is IOException or System.Data.Common.DbException)
        {
            // Nothing of the batch was recorded (files already moved are invisible and replaced by a retry).
            log.LogWarning("intake: a batch of {Count} instance(s) could not be stored: {Reason}", pending.Count, ex.Message);
            bool full = (ex is IOException io && LocalFileStore.IsDiskFull(io)) || ex.Message.Contains("full", StringComparison.OrdinalIgnoreCase);
            foreach (int i in pending)
            {
                var a = staged[i].Attributes!;
                outcomes[i] = Reject(staged[i].Part, staged[i].Name, OutOfResources, $"{staged[i].Name}: not stored: {(full ? "the store's disk is full" : "the database is unavailable")}; retry later", full ? "io" : "database")
                    with { SopClassUid = a.SopClassUid, SopInstanceUid = a.SopInstanceUid, StudyInstanceUid = a.StudyInstanceUid };
            }
        }
        finally
        {
            foreach (int i in pending)
            {
                staged[i].Temp!.Dispose();
            }
        }

        return outcomes!;
    }

    /// <summary>Records an instance row (received or generated) inside a transaction; returns false when it exists.</summary>
    public static async Task<bool> InsertInstanceAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, InstanceAttributes a, string key, long size, string sha256, string origin, int? version, long now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        int rows = await Db.ExecuteAsync(c, t, """
            INSERT INTO instances (sop_uid, study_uid, series_uid, sop_class, modality, series_number, instance_number, series_description,
                                   transfer_syntax, path, size, sha256, origin, version, received)
            VALUES (@sop, @study, @series, @cls, @modality, @sn, @inum, @sdesc, @ts, @key, @size, @sha, @origin, @version, @now)
            ON CONFLICT (sop_uid) DO NOTHING
            """,
            new
            {
                sop = a.SopInstanceUid, study = a.StudyInstanceUid, series = a.SeriesInstanceUid, cls = a.SopClassUid, modality = a.Modality,
                sn = a.SeriesNumber, inum = a.InstanceNumber, sdesc = a.SeriesDescription, ts = a.TransferSyntax, key, size, sha = sha256, origin, version, now,
            }, cancellationToken).ConfigureAwait(false);
        return rows > 0;
    }

    private PartOutcome? Parse(TempFile temp, int part, string name, string? expectedStudy, out InstanceAttributes attributes)
    {
        attributes = null!;
        if (temp.Size == 0)
        {
            return Reject(part, name, CannotUnderstand, $"{name}: empty part", "empty");
        }

        DicomFile file;
        try
        {
            var readOptions = new DicomReadOptions { MaxFileBytes = options.MaxPartBytes };
            file = temp.Content is { } content
                ? DicomFileReader.Parse(content.AsMemory(0, (int)temp.Size), name, readOptions)
                : DicomFileReader.Open(temp.Path, readOptions);
        }
        catch (DicomException ex)
        {
            temp.ReleaseContent();
            return Reject(part, name, CannotUnderstand, $"{name}: not readable DICOM: {StripPath(ex.Message, temp.Path)}", "not_dicom");
        }

        // The attributes are copied out; the data set (which points into the pooled buffer) is dropped here.
        var a = InstanceAttributes.From(file.Dataset, file.FileMetaInformation, file.TransferSyntax.Uid);
        bool part10 = file.HasPreamble && file.HasFileMeta;
        temp.ReleaseContent();
        if (!part10)
        {
            return Reject(part, name, CannotUnderstand, $"{name}: not a DICOM Part 10 file (no preamble and 'DICM' file meta information)", "not_part10");
        }

        foreach (var (value, attribute) in new[] { (a.SopClassUid, "SOPClassUID"), (a.SopInstanceUid, "SOPInstanceUID"), (a.StudyInstanceUid, "StudyInstanceUID"), (a.SeriesInstanceUid, "SeriesInstanceUID") })
        {
            if (!IsUid(value))
            {
                return Reject(part, name, CannotUnderstand, $"{name}: {attribute} is {(value.Length == 0 ? "missing" : "not a valid UID")}", "bad_uid") with { SopClassUid = NullIfBad(a.SopClassUid), SopInstanceUid = NullIfBad(a.SopInstanceUid) };
            }
        }

        if (expectedStudy is not null && !string.Equals(expectedStudy, a.StudyInstanceUid, StringComparison.Ordinal))
        {
            return Reject(part, name, StudyMismatch, $"{name}: StudyInstanceUID does not match the study in the request URL", "study_mismatch") with { SopClassUid = a.SopClassUid, SopInstanceUid = a.SopInstanceUid, StudyInstanceUid = a.StudyInstanceUid };
        }

        attributes = a;
        return null;
    }

    /// <summary>Store key of a received instance.</summary>
    public static string InstanceKey(string study, string series, string sop) => $"instances/{study}/{series}/{sop}.dcm";

    /// <summary>
    /// An identifier usable as a UID here: a DICOM UID (digits and dots), or — because anonymised research data such as
    /// RSNA's uses them — a name of letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit).
    /// Either is safe as a file name.
    /// </summary>
    public static bool IsUid(string? value) => value is { Length: > 0 and <= 64 } && (UidPattern().IsMatch(value) || IdentifierPattern().IsMatch(value));

    private static string? NullIfBad(string value) => IsUid(value) ? value : null;

    private static string StripPath(string message, string path) => message.Replace(path, "part", StringComparison.Ordinal);

    private PartOutcome Reject(int part, string name, ushort reason, string error, string kind)
    {
        metrics.InstancesRejected.Add(1, new KeyValuePair<string, object?>("reason", kind));
        return new PartOutcome(part, name, null, null, null, null, reason, error);
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)*$")]
    private static partial Regex UidPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdentifierPattern();
}
