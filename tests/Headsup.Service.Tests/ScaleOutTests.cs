using System.Net;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// Scale-out mode with real backends on loopback: PostgreSQL 15 as the database, RabbitMQ as the queue, one API process
/// and two worker processes sharing a store folder. Faults: a worker killed (SIGKILL) mid-job, PostgreSQL and RabbitMQ
/// restarted during a run. Every study completes exactly once.
/// </summary>
public sealed class ScaleOutTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [SkippableFact]
    public async Task PostgresAndRabbit_WorkerKilledAndBackendsRestarted_EveryStudyCompletesOnce()
    {
        using var pg = PostgresServer.Start();
        using var mq = RabbitServer.Start();
        using var temp = TestData.CreateTempFolder();
        var env = new Dictionary<string, string>
        {
            ["HEADSUP_DATABASE"] = pg.ConnectionString,
            ["HEADSUP_QUEUE"] = mq.Uri,
            ["HEADSUP_STORE"] = Path.Combine(temp.Path, "store"),
            ["Headsup__JobLeaseSeconds"] = "4",
        };
        var ingest = ServiceProcess.CreateKey(Path.Combine(temp.Path, "keys"), "ingest", pg.ConnectionString);
        var reader = ServiceProcess.CreateKey(Path.Combine(temp.Path, "keys"), "reader", pg.ConnectionString);
        var studies = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();

        // Several processes start at once against a fresh database: the schema is created once, safely.
        var starting = new[]
        {
            ServiceProcess.StartAsync(Path.Combine(temp.Path, "api"), env, "--role", "api", "--stable-seconds", "0.5"),
            ServiceProcess.StartAsync(Path.Combine(temp.Path, "w1"), env, "--role", "worker"),
            ServiceProcess.StartAsync(Path.Combine(temp.Path, "w2"), env, "--role", "worker"),
        };
        await Task.WhenAll(starting);
        using var api = starting[0].Result;
        using var w1 = starting[1].Result;
        using var w2 = starting[2].Result;

        // 1. The worker running a study is killed; the other one finishes it once its lease runs out.
        var (studyA, filesA) = studies[0];
        Assert.Equal(HttpStatusCode.OK, (await api.StowAsync(ingest, filesA.Select(f => (File.ReadAllBytes(f), "application/dicom")))).Status);
        var running = await api.WaitForStatusAsync(reader, studyA, TimeSpan.FromMinutes(2), "running");
        var owner = running.GetProperty("versions")[0].GetProperty("worker").GetString()!;
        var victim = owner.Contains($":{w1.ProcessId}:", StringComparison.Ordinal) ? w1 : w2;
        Assert.Contains($":{victim.ProcessId}:", owner, StringComparison.Ordinal);
        victim.Kill();
        var doneA = await api.WaitForStatusAsync(reader, studyA, TimeSpan.FromMinutes(3), "done", "failed");
        Assert.Equal("done", doneA.GetProperty("status").GetString());
        var versionA = Assert.Single(doneA.GetProperty("versions").EnumerateArray());
        Assert.Equal(2, versionA.GetProperty("attempts").GetInt32());
        await AssertOneReportAsync(api, reader, studyA);

        // 2. PostgreSQL and RabbitMQ restart while a study is being received and queued; the processes reconnect.
        var (studyB, filesB) = studies[1];
        Assert.Equal(HttpStatusCode.OK, (await api.StowAsync(ingest, filesB.Select(f => (File.ReadAllBytes(f), "application/dicom")))).Status);
        pg.Restart();
        mq.Restart();
        var (studyC, filesC) = studies[2];
        var stowC = await RetryAsync(() => api.StowAsync(ingest, filesC.Select(f => (File.ReadAllBytes(f), "application/dicom"))), r => r.Status == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, stowC.Status);
        foreach (var study in new[] { studyB, studyC })
        {
            var done = await api.WaitForStatusAsync(reader, study, TimeSpan.FromMinutes(3), "done", "failed");
            Assert.Equal("done", done.GetProperty("status").GetString());
            Assert.Single(done.GetProperty("versions").EnumerateArray());
            await AssertOneReportAsync(api, reader, study);
        }
    }

    private static async Task AssertOneReportAsync(ServiceProcess api, string reader, string study)
    {
        var (_, sr) = await api.GetJsonAsync($"/dicomweb/studies/{study}/series?Modality=SR", reader);
        Assert.Equal(1, sr.GetArrayLength());
        Assert.Equal(1, sr[0].GetProperty("00201209").GetProperty("Value")[0].GetInt32());
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action, Func<T, bool> ok)
    {
        var deadline = Deadline.In(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                var result = await action();
                if (ok(result) || deadline.Passed)
                {
                    return result;
                }
            }
            catch (HttpRequestException) when (!deadline.Passed)
            {
                // the API answered nothing while its database restarted
            }

            await Task.Delay(1000);
        }
    }
}
