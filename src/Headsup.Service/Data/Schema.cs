namespace Headsup.Service.Data;

/// <summary>
/// Creates or migrates the schema on start, inside one write transaction, so several processes starting at once
/// against the same database are safe (the second finds the version already current). Tables: studies (one row per
/// StudyInstanceUID: arrival, stability, current status and result), instances (received and generated, with the
/// attributes QIDO-RS matches on and where the file is), jobs (one per study version: the durable job record),
/// deliveries (results sent to DICOMweb peers and webhooks), api_keys (hashed), audit (append-only), feedback (readers' agree/disagree, from version 2; from version 3 a reader's hemorrhage yes/no on a result that made no decision, with agree null; and the study's out-of-distribution warning for the worklist).
/// </summary>
public static class Schema
{
    /// <summary>The schema version this build writes.</summary>
    public const int Version = 3;

    private static readonly string[] s_v1 =
    [
        """
        CREATE TABLE IF NOT EXISTS studies (
            study_uid TEXT PRIMARY KEY,
            study_hash TEXT NOT NULL,
            patient_id TEXT, patient_name TEXT, patient_birth_date TEXT, patient_sex TEXT,
            study_date TEXT, study_time TEXT, accession TEXT, study_description TEXT, study_id TEXT, referring TEXT,
            first_received BIGINT NOT NULL,
            last_received BIGINT NOT NULL,
            received_instances INTEGER NOT NULL DEFAULT 0,
            pending INTEGER NOT NULL DEFAULT 0,
            current_version INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            result_version INTEGER, probability DOUBLE PRECISION, positive INTEGER, error TEXT,
            updated BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS ix_studies_pending ON studies(pending, last_received)",
        "CREATE INDEX IF NOT EXISTS ix_studies_updated ON studies(updated)",
        """
        CREATE TABLE IF NOT EXISTS instances (
            sop_uid TEXT PRIMARY KEY,
            study_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL,
            sop_class TEXT NOT NULL,
            modality TEXT, series_number INTEGER, instance_number INTEGER, series_description TEXT,
            transfer_syntax TEXT,
            path TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            origin TEXT NOT NULL,
            version INTEGER,
            received BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS ix_instances_series ON instances(study_uid, series_uid)",
        """
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY,
            study_uid TEXT NOT NULL,
            version INTEGER NOT NULL,
            instances INTEGER NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            not_before BIGINT NOT NULL,
            lease_until BIGINT,
            worker TEXT,
            error TEXT,
            created BIGINT NOT NULL,
            started BIGINT,
            finished BIGINT,
            result_path TEXT,
            result_json TEXT,
            UNIQUE (study_uid, version))
        """,
        "CREATE INDEX IF NOT EXISTS ix_jobs_status ON jobs(status, not_before)",
        """
        CREATE TABLE IF NOT EXISTS deliveries (
            id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL,
            study_uid TEXT NOT NULL,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before BIGINT NOT NULL,
            last_error TEXT,
            response_status INTEGER,
            created BIGINT NOT NULL,
            finished BIGINT)
        """,
        "CREATE INDEX IF NOT EXISTS ix_deliveries_status ON deliveries(status, not_before)",
        """
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            label TEXT,
            created BIGINT NOT NULL,
            revoked BIGINT)
        """,
        """
        CREATE TABLE IF NOT EXISTS audit (
            id {AUTO_ID},
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT,
            action TEXT NOT NULL,
            study_uid TEXT,
            detail TEXT,
            remote TEXT)
        """,
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    ];

    // Version 2: the worklist's summary columns (top subtypes, time to result, the latest reader feedback) and the
    // feedback table (every agree/disagree a reader gives, with who and when).
    private static readonly string[] s_v2 =
    [
        "ALTER TABLE studies ADD COLUMN subtypes TEXT",
        "ALTER TABLE studies ADD COLUMN result_seconds DOUBLE PRECISION",
        "ALTER TABLE studies ADD COLUMN feedback_agree INTEGER",
        "ALTER TABLE studies ADD COLUMN feedback_by TEXT",
        "ALTER TABLE studies ADD COLUMN feedback_at BIGINT",
        """
        CREATE TABLE IF NOT EXISTS feedback (
            id TEXT PRIMARY KEY,
            study_uid TEXT NOT NULL,
            version INTEGER,
            actor TEXT NOT NULL,
            role TEXT,
            agree INTEGER NOT NULL,
            hemorrhage INTEGER,
            subtypes TEXT,
            slices TEXT,
            comment TEXT,
            created BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS ix_feedback_study ON feedback(study_uid, created)",
    ];

    // Version 3: results may make no decision (the model's study calibration rests on too few real studies); a reader's
    // feedback on such a result is a hemorrhage yes/no without agree. SQLite cannot drop a NOT NULL, so the table is
    // rebuilt there; PostgreSQL drops it in place.
    private static readonly string[] s_v3 =
    [
        "ALTER TABLE studies ADD COLUMN feedback_hemorrhage INTEGER",
        "ALTER TABLE studies ADD COLUMN ood_warning TEXT",
    ];

    private static readonly string[] s_v3Sqlite =
    [
        """
        CREATE TABLE feedback_v3 (
            id TEXT PRIMARY KEY,
            study_uid TEXT NOT NULL,
            version INTEGER,
            actor TEXT NOT NULL,
            role TEXT,
            agree INTEGER,
            hemorrhage INTEGER,
            subtypes TEXT,
            slices TEXT,
            comment TEXT,
            created BIGINT NOT NULL)
        """,
        "INSERT INTO feedback_v3 SELECT id, study_uid, version, actor, role, agree, hemorrhage, subtypes, slices, comment, created FROM feedback",
        "DROP TABLE feedback",
        "ALTER TABLE feedback_v3 RENAME TO feedback",
        "CREATE INDEX IF NOT EXISTS ix_feedback_study ON feedback(study_uid, created)",
    ];

    private static readonly string[] s_v3Postgres =
    [
        "ALTER TABLE feedback ALTER COLUMN agree DROP NOT NULL",
    ];

    private static readonly string[] s_sqliteAppendOnly =
    [
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    ];

    private static readonly string[] s_postgresAppendOnly =
    [
        """
        CREATE OR REPLACE FUNCTION headsup_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'audit is append-only'; END $$
        """,
        "CREATE OR REPLACE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION headsup_audit_append_only()",
    ];

    /// <summary>Creates or migrates the schema (idempotent, safe under concurrent starts).</summary>
    /// <exception cref="ServiceConfigurationException">The database was written by a newer HEADS UP.</exception>
    public static async Task EnsureAsync(Db db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Postgres)
        {
            await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);

            // WAL is a property of the database file: readers never wait for the writer.
            await Db.ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await db.InTransactionAsync(async (c, t) =>
        {
            if (db.Postgres)
            {
                // Several processes starting at once: one migrates, the others wait and find the schema current.
                await Db.ExecuteAsync(c, t, "SELECT pg_advisory_xact_lock(7261536)", cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var statement in s_v1.Concat(db.Postgres ? s_postgresAppendOnly : s_sqliteAppendOnly))
            {
                var sql = statement.Replace("{AUTO_ID}", db.Postgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal);
                await Db.ExecuteAsync(c, t, sql, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var versions = await Db.QueryAsync(c, t, "SELECT version FROM schema_version", r => r.GetInt32(0), cancellationToken: cancellationToken).ConfigureAwait(false);
            int current = versions.Count == 0 ? 1 : versions.Max();
            if (current > Version)
            {
                throw new ServiceConfigurationException($"database: schema version {current} was written by a newer HEADS UP (this build knows {Version})");
            }

            if (versions.Count == 0)
            {
                await Db.ExecuteAsync(c, t, "INSERT INTO schema_version(version) VALUES (1)", cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (current < 2)
            {
                foreach (var statement in s_v2)
                {
                    await Db.ExecuteAsync(c, t, statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }

            if (current < 3)
            {
                foreach (var statement in s_v3.Concat(db.Postgres ? s_v3Postgres : s_v3Sqlite))
                {
                    await Db.ExecuteAsync(c, t, statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }

            if (current < Version)
            {
                await Db.ExecuteAsync(c, t, "UPDATE schema_version SET version = @v", new { v = Version }, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }
}
