using System.Data.Common;
using System.Text;

namespace Headsup.Service.Data;

/// <summary>A study row.</summary>
public sealed record StudyRow(string StudyInstanceUid, string? PatientId, string? PatientName, string? StudyDate, string? StudyTime, string? Accession,
    string? StudyDescription, long FirstReceived, long LastReceived, int ReceivedInstances, int CurrentVersion, string Status, int? ResultVersion,
    double? Probability, bool? Positive, string? Error, long Updated)
{
    /// <summary>The current result's subtype scores (JSON object), when it has them.</summary>
    public string? Subtypes { get; init; }

    /// <summary>Seconds from the last instance of the current version to its result.</summary>
    public double? ResultSeconds { get; init; }

    /// <summary>The latest reader feedback: agree (true) or disagree (false); null when none.</summary>
    public bool? FeedbackAgree { get; init; }

    /// <summary>The current result's out-of-distribution warning, when it has one.</summary>
    public string? OodWarning { get; init; }

    /// <summary>The latest feedback's hemorrhage yes/no (also when the result made no decision and agree is null).</summary>
    public bool? FeedbackHemorrhage { get; init; }

    /// <summary>Who gave the latest feedback (key id or token subject).</summary>
    public string? FeedbackBy { get; init; }

    /// <summary>When the latest feedback was given (ms).</summary>
    public long? FeedbackAt { get; init; }
}

/// <summary>An instance row.</summary>
public sealed record InstanceRow(string SopInstanceUid, string StudyInstanceUid, string SeriesInstanceUid, string SopClassUid, string? Modality,
    int? SeriesNumber, int? InstanceNumber, string? SeriesDescription, string? TransferSyntax, string Path, long Size, string Origin, int? Version);

/// <summary>A job row (one study version).</summary>
public sealed record JobRow(string Id, int Version, int Instances, string Status, int Attempts, int MaxAttempts, string? Error, long Created, long? Started, long? Finished, string? ResultPath, string? ResultJson, string? Worker);

/// <summary>A delivery row.</summary>
public sealed record DeliveryRow(string Kind, string Target, string Status, int Attempts, string? LastError, int? ResponseStatus, long Created, long? Finished);

/// <summary>QIDO-RS / worklist filters (null: any). UID lists match any of their values; names and descriptions take * and ? wildcards.</summary>
public sealed record StudyFilter
{
    /// <summary>StudyInstanceUID values.</summary>
    public IReadOnlyList<string>? StudyUids { get; init; }

    /// <summary>PatientID (exact or wildcard).</summary>
    public string? PatientId { get; init; }

    /// <summary>PatientName (wildcard).</summary>
    public string? PatientName { get; init; }

    /// <summary>AccessionNumber.</summary>
    public string? Accession { get; init; }

    /// <summary>StudyDate: YYYYMMDD, or a range A-B (either side open).</summary>
    public string? StudyDate { get; init; }

    /// <summary>StudyDescription (wildcard).</summary>
    public string? StudyDescription { get; init; }

    /// <summary>ModalitiesInStudy: a study with an instance of this modality.</summary>
    public string? Modality { get; init; }

    /// <summary>Worklist: job status.</summary>
    public string? Status { get; init; }

    /// <summary>Worklist: flagged (true) or not flagged (false).</summary>
    public bool? Positive { get; init; }

    /// <summary>Worklist: received at or after (ms).</summary>
    public long? ReceivedFrom { get; init; }

    /// <summary>Worklist: received before (ms).</summary>
    public long? ReceivedTo { get; init; }

    /// <summary>Worklist text search: a part of the PatientID or the AccessionNumber (readers only).</summary>
    public string? Text { get; init; }

    /// <summary>Rows to skip.</summary>
    public int Offset { get; init; }

    /// <summary>Most rows.</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>Reads studies, series, instances, versions and deliveries for QIDO-RS, WADO-RS and the results API.</summary>
public sealed class StudyQueries(Db db)
{
    private const string StudyColumns = "study_uid, patient_id, patient_name, study_date, study_time, accession, study_description, first_received, last_received, received_instances, current_version, status, result_version, probability, positive, error, updated, subtypes, result_seconds, feedback_agree, feedback_by, feedback_at, feedback_hemorrhage, ood_warning";

    /// <summary>Studies matching a filter. Worklist order: flagged first, then probability, then arrival.</summary>
    public Task<List<StudyRow>> StudiesAsync(StudyFilter filter, bool worklistOrder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new StringBuilder("1 = 1");
        var p = new Dictionary<string, object?>();
        if (filter.StudyUids is { Count: > 0 } uids)
        {
            where.Append(" AND study_uid IN (").Append(string.Join(", ", uids.Select((u, i) => { p["u" + i] = u; return "@u" + i; }))).Append(')');
        }

        Match(where, p, "patient_id", filter.PatientId);
        Match(where, p, "patient_name", filter.PatientName);
        Match(where, p, "accession", filter.Accession);
        Match(where, p, "study_description", filter.StudyDescription);
        if (filter.StudyDate is { Length: > 0 } date)
        {
            var parts = date.Split('-');
            if (parts.Length == 2)
            {
                if (parts[0].Length > 0) { where.Append(" AND study_date >= @d0"); p["d0"] = parts[0]; }
                if (parts[1].Length > 0) { where.Append(" AND study_date <= @d1"); p["d1"] = parts[1]; }
            }
            else
            {
                where.Append(" AND study_date = @d0");
                p["d0"] = date;
            }
        }

        if (filter.Modality is { Length: > 0 } modality)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM instances i WHERE i.study_uid = studies.study_uid AND i.modality = @modality)");
            p["modality"] = modality;
        }

        if (filter.Text is { Length: > 0 } text)
        {
            where.Append(" AND (LOWER(patient_id) LIKE @text ESCAPE '\\' OR LOWER(accession) LIKE @text ESCAPE '\\')");
            p["text"] = "%" + text.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        }

        if (filter.Status is { Length: > 0 } status) { where.Append(" AND status = @status"); p["status"] = status; }
        if (filter.Positive is { } positive) { where.Append(positive ? " AND positive = 1" : " AND (positive = 0 OR positive IS NULL)"); }
        if (filter.ReceivedFrom is { } from) { where.Append(" AND last_received >= @from"); p["from"] = from; }
        if (filter.ReceivedTo is { } to) { where.Append(" AND last_received < @to"); p["to"] = to; }
        p["limit"] = Math.Clamp(filter.Limit, 1, 1000);
        p["offset"] = Math.Max(0, filter.Offset);
        var order = worklistOrder
            ? "CASE WHEN positive = 1 THEN 0 ELSE 1 END, COALESCE(probability, -1) DESC, last_received ASC"
            : "first_received ASC";
        return QueryDictAsync($"SELECT {StudyColumns} FROM studies WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset", MapStudy, p, cancellationToken);
    }

    /// <summary>One study.</summary>
    public async Task<StudyRow?> StudyAsync(string study, CancellationToken cancellationToken = default) =>
        (await db.QueryAsync($"SELECT {StudyColumns} FROM studies WHERE study_uid = @study", MapStudy, new { study }, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>Instances of a study (optionally one series, one instance, one modality).</summary>
    public Task<List<InstanceRow>> InstancesAsync(string study, string? series = null, string? sop = null, string? modality = null, CancellationToken cancellationToken = default) =>
        db.QueryAsync("""
            SELECT sop_uid, study_uid, series_uid, sop_class, modality, series_number, instance_number, series_description, transfer_syntax, path, size, origin, version
            FROM instances WHERE study_uid = @study AND (@series IS NULL OR series_uid = @series) AND (@sop IS NULL OR sop_uid = @sop) AND (@modality IS NULL OR modality = @modality)
            ORDER BY series_number, series_uid, instance_number, sop_uid
            """, r => new InstanceRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Db.Text(r, "modality"), (int?)Db.Long(r, "series_number"),
                (int?)Db.Long(r, "instance_number"), Db.Text(r, "series_description"), Db.Text(r, "transfer_syntax"), r.GetString(9), r.GetInt64(10), r.GetString(11), (int?)Db.Long(r, "version")),
            new { study, series, sop, modality }, cancellationToken);

    /// <summary>Series count, instance count and modalities of each study in <paramref name="studies"/>, in one query.</summary>
    public async Task<Dictionary<string, (int Series, int Instances, string Modalities)>> CountsAsync(IReadOnlyList<string> studies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(studies);
        var counts = new Dictionary<string, (int, int, string)>(StringComparer.Ordinal);
        if (studies.Count == 0)
        {
            return counts;
        }

        var p = new Dictionary<string, object?>();
        var list = string.Join(", ", studies.Select((u, i) => { p["u" + i] = u; return "@u" + i; }));
        var rows = await QueryDictAsync($"SELECT study_uid, series_uid, modality, COUNT(*) FROM instances WHERE study_uid IN ({list}) GROUP BY study_uid, series_uid, modality",
            r => (Study: r.GetString(0), Series: r.GetString(1), Modality: Db.Text(r, "modality"), Count: Convert.ToInt32(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)), p, cancellationToken).ConfigureAwait(false);
        foreach (var study in rows.GroupBy(r => r.Study))
        {
            counts[study.Key] = (study.Select(r => r.Series).Distinct().Count(), study.Sum(r => r.Count), string.Join('\\', study.Select(r => r.Modality).Where(m => m is not null).Distinct()));
        }

        return counts;
    }

    /// <summary>Every version (job) of a study, newest first.</summary>
    public Task<List<JobRow>> VersionsAsync(string study, CancellationToken cancellationToken = default) =>
        db.QueryAsync("SELECT id, version, instances, status, attempts, max_attempts, error, created, started, finished, result_path, result_json, worker FROM jobs WHERE study_uid = @study ORDER BY version DESC",
            r => new JobRow(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), Db.Text(r, "error"), r.GetInt64(7), Db.Long(r, "started"), Db.Long(r, "finished"), Db.Text(r, "result_path"), Db.Text(r, "result_json"), Db.Text(r, "worker")),
            new { study }, cancellationToken);

    /// <summary>Deliveries of a study's results.</summary>
    public Task<List<DeliveryRow>> DeliveriesAsync(string study, CancellationToken cancellationToken = default) =>
        db.QueryAsync("SELECT kind, target, status, attempts, last_error, response_status, created, finished FROM deliveries WHERE study_uid = @study ORDER BY created",
            r => new DeliveryRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), Db.Text(r, "last_error"), (int?)Db.Long(r, "response_status"), r.GetInt64(6), Db.Long(r, "finished")),
            new { study }, cancellationToken);

    /// <summary>Studies changed after <paramref name="since"/> (ms), for the live event stream.</summary>
    public Task<List<StudyRow>> ChangedSinceAsync(long since, CancellationToken cancellationToken = default) =>
        db.QueryAsync($"SELECT {StudyColumns} FROM studies WHERE updated > @since ORDER BY updated LIMIT 500", MapStudy, new { since }, cancellationToken);

    private static void Match(StringBuilder where, Dictionary<string, object?> p, string column, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.Contains('*', StringComparison.Ordinal) || value.Contains('?', StringComparison.Ordinal))
        {
            where.Append(" AND ").Append(column).Append(" LIKE @").Append(column).Append(" ESCAPE '\\'");
            p[column] = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).Replace('*', '%').Replace('?', '_');
        }
        else
        {
            where.Append(" AND ").Append(column).Append(" = @").Append(column);
            p[column] = value;
        }
    }

    private async Task<List<T>> QueryDictAsync<T>(string sql, Func<DbDataReader, T> map, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Db.Command(connection, null, sql, null);
        foreach (var (k, v) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + k;
            parameter.Value = v ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static StudyRow MapStudy(DbDataReader r) => new(
        r.GetString(0), Db.Text(r, "patient_id"), Db.Text(r, "patient_name"), Db.Text(r, "study_date"), Db.Text(r, "study_time"), Db.Text(r, "accession"),
        Db.Text(r, "study_description"), r.GetInt64(7), r.GetInt64(8), r.GetInt32(9), r.GetInt32(10), r.GetString(11), (int?)Db.Long(r, "result_version"),
        Db.Real(r, "probability"), Db.Long(r, "positive") is { } pos ? pos == 1 : null, Db.Text(r, "error"), r.GetInt64(16))
    {
        Subtypes = Db.Text(r, "subtypes"),
        ResultSeconds = Db.Real(r, "result_seconds"),
        FeedbackAgree = Db.Long(r, "feedback_agree") is { } agree ? agree == 1 : null,
        FeedbackHemorrhage = Db.Long(r, "feedback_hemorrhage") is { } bleeding ? bleeding == 1 : null,
        OodWarning = Db.Text(r, "ood_warning"),
        FeedbackBy = Db.Text(r, "feedback_by"),
        FeedbackAt = Db.Long(r, "feedback_at"),
    };
}
