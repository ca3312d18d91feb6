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

    /// <summary>Stores the part in <paramref name="body"/>.</summary>
    public async Task<PartOutcome> AcceptAsync(Stream body, int part, string name, string? expectedStudy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        TempFile temp;
        try
        {
            temp = await store.ReceiveAsync(body, options.MaxPartBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (PartTooLargeException ex)
        {
            return Reject(part, name, OutOfResources, $"{name}: {ex.Message}", "too_large");
        }
        catch (StoreFullException ex)
        {
            log.LogWarning("intake: store full: {Reason}", ex.Message);
            return Reject(part, name, OutOfResources, $"{name}: not stored: {ex.Message}", "store_full");
        }
        catch (IOException ex) when (ex is not StoreFullException)
        {
            // The client went away or sent a broken body (truncated multipart): nothing was kept.
            return Reject(part, name, CannotUnderstand, $"{name}: the part could not be read to its end: {ex.Message}", "truncated");
        }

        using (temp)
        {
            if (temp.Size == 0)
            {
                return Reject(part, name, CannotUnderstand, $"{name}: empty part", "empty");
            }

            DicomFile file;
            try
            {
                file = DicomFileReader.Open(temp.Path, new DicomReadOptions { MaxFileBytes = options.MaxPartBytes });
            }
            catch (DicomException ex)
            {
                return Reject(part, name, CannotUnderstand, $"{name}: not readable DICOM: {StripPath(ex.Message, temp.Path)}", "not_dicom");
            }

            if (!file.HasPreamble || !file.HasFileMeta)
            {
                return Reject(part, name, CannotUnderstand, $"{name}: not a DICOM Part 10 file (no preamble and 'DICM' file meta information)", "not_part10");
            }

            var ds = file.Dataset;
            // The SOP class may live only in the file meta (RSNA's anonymised files have no (0008,0016)).
            string sopClass = ds.GetStringOrDefault(DicomTags.SOPClassUID).Trim();
            if (sopClass.Length == 0)
            {
                sopClass = file.FileMetaInformation.GetStringOrDefault(DicomTags.MediaStorageSOPClassUID).Trim();
            }

            string sop = ds.GetStringOrDefault(DicomTags.SOPInstanceUID).Trim();
            string study = ds.GetStringOrDefault(DicomTags.StudyInstanceUID).Trim();
            string series = ds.GetStringOrDefault(DicomTags.SeriesInstanceUID).Trim();
            foreach (var (value, attribute) in new[] { (sopClass, "SOPClassUID"), (sop, "SOPInstanceUID"), (study, "StudyInstanceUID"), (series, "SeriesInstanceUID") })
            {
                if (!IsUid(value))
                {
                    return Reject(part, name, CannotUnderstand, $"{name}: {attribute} is {(value.Length == 0 ? "missing" : "not a valid UID")}", "bad_uid") with { SopClassUid = NullIfBad(sopClass), SopInstanceUid = NullIfBad(sop) };
                }
            }

            if (expectedStudy is not null && !string.Equals(expectedStudy, study, StringComparison.Ordinal))
            {
                return Reject(part, name, StudyMismatch, $"{name}: StudyInstanceUID does not match the study in the request URL", "study_mismatch") with { SopClassUid = sopClass, SopInstanceUid = sop, StudyInstanceUid = study };
            }

            var outcome = new PartOutcome(part, name, sopClass, sop, study, series, null, null);
            var key = InstanceKey(study, series, sop);
            long now = Db.Now();
            try
            {
                var stored = await db.InTransactionAsync(async (c, t) =>
                {
                    var existing = await Db.QueryAsync(c, t, "SELECT sha256 FROM instances WHERE sop_uid = @sop", r => r.GetString(0), new { sop }, cancellationToken).ConfigureAwait(false);
                    if (existing.Count > 0)
                    {
                        return "duplicate";
                    }

                    var count = await Db.QueryAsync(c, t, "SELECT received_instances FROM studies WHERE study_uid = @study", r => r.GetInt64(0), new { study }, cancellationToken).ConfigureAwait(false);
                    if (count.Count > 0 && count[0] >= options.MaxInstancesPerStudy)
                    {
                        return "full";
                    }

                    store.Commit(temp, key);
                    await Db.ExecuteAsync(c, t, """
                        INSERT INTO studies (study_uid, study_hash, patient_id, patient_name, patient_birth_date, patient_sex, study_date, study_time,
                                             accession, study_description, study_id, referring, first_received, last_received, received_instances, pending, status, updated)
                        VALUES (@study, @hash, @pid, @pname, @birth, @sex, @date, @time, @acc, @desc, @sid, @ref, @now, @now, 1, 1, 'receiving', @now)
                        ON CONFLICT (study_uid) DO UPDATE SET last_received = @now, received_instances = studies.received_instances + 1,
                                             pending = 1, status = 'receiving', updated = @now
                        """,
                        new
                        {
                            study, hash = StudyHash.Of(study),
                            pid = Get(ds, DicomTags.PatientID), pname = Get(ds, DicomTags.PatientName), birth = Get(ds, DicomTags.PatientBirthDate), sex = Get(ds, DicomTags.PatientSex),
                            date = Get(ds, DicomTags.StudyDate), time = Get(ds, DicomTags.StudyTime), acc = Get(ds, DicomTags.AccessionNumber),
                            desc = Get(ds, DicomTags.StudyDescription), sid = Get(ds, DicomTags.StudyID), @ref = Get(ds, DicomTags.ReferringPhysicianName), now,
                        }, cancellationToken).ConfigureAwait(false);
                    await InsertInstanceAsync(c, t, ds, file.TransferSyntax.Uid, key, temp.Size, temp.Sha256, "received", null, now, cancellationToken, sopClass).ConfigureAwait(false);
                    return "stored";
                }, cancellationToken).ConfigureAwait(false);

                switch (stored)
                {
                    case "duplicate":
                        return outcome with { Duplicate = true };
                    case "full":
                        return Reject(part, name, OutOfResources, $"{name}: the study already holds the maximum of {options.MaxInstancesPerStudy} instances", "study_full") with { SopClassUid = sopClass, SopInstanceUid = sop, StudyInstanceUid = study };
                    default:
                        metrics.InstancesReceived.Add(1);
                        return outcome;
                }
            }
            catch (IOException ex)
            {
                log.LogWarning("intake: study {Study}: could not store an instance: {Reason}", StudyHash.Of(study), ex.Message);
                return Reject(part, name, OutOfResources, $"{name}: not stored: {(LocalFileStore.IsDiskFull(ex) ? "the store's disk is full" : ex.Message)}", "io") with { SopClassUid = sopClass, SopInstanceUid = sop, StudyInstanceUid = study };
            }
        }
    }

    /// <summary>Records an instance row (received or generated) inside a transaction; returns false when it exists.</summary>
    public static async Task<bool> InsertInstanceAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, DicomDataset ds, string transferSyntax, string key, long size, string sha256, string origin, int? version, long now, CancellationToken cancellationToken, string? sopClass = null)
    {
        ArgumentNullException.ThrowIfNull(ds);
        int rows = await Db.ExecuteAsync(c, t, """
            INSERT INTO instances (sop_uid, study_uid, series_uid, sop_class, modality, series_number, instance_number, series_description,
                                   transfer_syntax, path, size, sha256, origin, version, received)
            VALUES (@sop, @study, @series, @cls, @modality, @sn, @inum, @sdesc, @ts, @key, @size, @sha, @origin, @version, @now)
            ON CONFLICT (sop_uid) DO NOTHING
            """,
            new
            {
                sop = ds.GetStringOrDefault(DicomTags.SOPInstanceUID).Trim(),
                study = ds.GetStringOrDefault(DicomTags.StudyInstanceUID).Trim(),
                series = ds.GetStringOrDefault(DicomTags.SeriesInstanceUID).Trim(),
                cls = sopClass ?? ds.GetStringOrDefault(DicomTags.SOPClassUID).Trim(),
                modality = Get(ds, DicomTags.Modality),
                sn = ds.TryGetInt32(DicomTags.SeriesNumber, out var sn) ? (object)sn : null,
                inum = ds.TryGetInt32(DicomTags.InstanceNumber, out var inum) ? (object)inum : null,
                sdesc = Get(ds, DicomTags.SeriesDescription),
                ts = transferSyntax, key, size, sha = sha256, origin, version, now,
            }, cancellationToken).ConfigureAwait(false);
        return rows > 0;
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

    private static string? Get(DicomDataset ds, DicomTag tag) => ds.TryGetString(tag, out var v) && v.Trim().Length > 0 ? v.Trim() : null;

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
