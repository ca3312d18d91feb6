using Headsup.Service.Data;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// A version-2 SQLite database (as issue 11 left it: a study with a reader's agree in the feedback table) migrates to
/// version 3 on start: the feedback rows survive, agree may now be null (feedback on a result that made no decision),
/// and the studies gain feedback_hemorrhage and ood_warning; a second start finds it current.
/// </summary>
public sealed class SchemaMigrationTests
{
    [Fact]
    public async Task Version2Database_MigratesToVersion3_KeepingFeedback()
    {
        using var folder = TestData.CreateTempFolder();
        var db = new Db("Data Source=" + Path.Combine(folder.Path, "headsup.db"));

        // The version-2 shape of the two tables version 3 changes, and the version marker.
        await db.ExecuteAsync("""
            CREATE TABLE studies (
                study_uid TEXT PRIMARY KEY, study_hash TEXT NOT NULL,
                patient_id TEXT, patient_name TEXT, patient_birth_date TEXT, patient_sex TEXT,
                study_date TEXT, study_time TEXT, accession TEXT, study_description TEXT, study_id TEXT, referring TEXT,
                first_received BIGINT NOT NULL, last_received BIGINT NOT NULL,
                received_instances INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0,
                current_version INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
                result_version INTEGER, probability DOUBLE PRECISION, positive INTEGER, error TEXT, updated BIGINT NOT NULL,
                subtypes TEXT, result_seconds DOUBLE PRECISION, feedback_agree INTEGER, feedback_by TEXT, feedback_at BIGINT)
            """);
        await db.ExecuteAsync("""
            CREATE TABLE feedback (
                id TEXT PRIMARY KEY, study_uid TEXT NOT NULL, version INTEGER, actor TEXT NOT NULL, role TEXT,
                agree INTEGER NOT NULL, hemorrhage INTEGER, subtypes TEXT, slices TEXT, comment TEXT, created BIGINT NOT NULL)
            """);
        await db.ExecuteAsync("CREATE TABLE schema_version (version INTEGER NOT NULL)");
        await db.ExecuteAsync("INSERT INTO schema_version(version) VALUES (2)");
        await db.ExecuteAsync("INSERT INTO studies (study_uid, study_hash, first_received, last_received, status, updated, feedback_agree) VALUES ('1.2.3', 'h', 1, 1, 'done', 1, 1)");
        await db.ExecuteAsync("INSERT INTO feedback (id, study_uid, version, actor, agree, hemorrhage, created) VALUES ('fb_1', '1.2.3', 1, 'key_a', 1, 1, 5)");
        await Assert.ThrowsAnyAsync<Exception>(() => db.ExecuteAsync("INSERT INTO feedback (id, study_uid, actor, agree, created) VALUES ('fb_x', '1.2.3', 'key_a', NULL, 6)"));

        await Schema.EnsureAsync(db);
        await Schema.EnsureAsync(db); // idempotent

        Assert.Equal([Schema.Version], await db.QueryAsync("SELECT version FROM schema_version", r => r.GetInt32(0)));
        Assert.Equal(3, Schema.Version);
        var kept = await db.QueryAsync("SELECT id, agree, hemorrhage, actor FROM feedback", r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3)));
        Assert.Equal([("fb_1", 1L, 1L, "key_a")], kept);
        await db.ExecuteAsync("INSERT INTO feedback (id, study_uid, version, actor, agree, hemorrhage, created) VALUES ('fb_2', '1.2.3', 1, 'key_b', NULL, 0, 7)");
        await db.ExecuteAsync("UPDATE studies SET feedback_hemorrhage = 0, ood_warning = 'unlike' WHERE study_uid = '1.2.3'");
        Assert.Equal([(0L, "unlike", 1L)], await db.QueryAsync("SELECT feedback_hemorrhage, ood_warning, feedback_agree FROM studies", r => (r.GetInt64(0), r.GetString(1), r.GetInt64(2))));
        Assert.Equal(2, (await db.QueryAsync("SELECT id FROM feedback WHERE study_uid = '1.2.3' ORDER BY created", r => r.GetString(0))).Count);
    }
}
