using System.Net;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>Faults in the embedded mode: the service killed (SIGKILL) while a job runs, then restarted on the same data.</summary>
public sealed class ServiceFaultTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task KillDuringJob_Restart_StudyCompletesExactlyOnce()
    {
        using var temp = TestData.CreateTempFolder();
        var data = Path.Combine(temp.Path, "data");
        var ingest = ServiceProcess.CreateKey(data, "ingest");
        var reader = ServiceProcess.CreateKey(data, "reader");
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First();
        using (var first = await ServiceProcess.StartAsync(data, "--stable-seconds", "0.5"))
        {
            var stow = await first.StowAsync(ingest, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
            Assert.Equal(HttpStatusCode.OK, stow.Status);
            await first.WaitForStatusAsync(reader, study, TimeSpan.FromMinutes(2), "running");
            first.Kill();
        }

        var restarted = DateTime.UtcNow;
        using var second = await ServiceProcess.StartAsync(data, "--stable-seconds", "0.5");
        var done = await second.WaitForStatusAsync(reader, study, TimeSpan.FromMinutes(3), "done", "failed");
        Assert.Equal("done", done.GetProperty("status").GetString());
        var version = Assert.Single(done.GetProperty("versions").EnumerateArray());
        Assert.Equal(2, version.GetProperty("attempts").GetInt32());
        var (_, sr) = await second.GetJsonAsync($"/dicomweb/studies/{study}/series?Modality=SR", reader);
        Assert.Equal(1, sr.GetArrayLength());
        var (_, instances) = await second.GetJsonAsync($"/dicomweb/studies/{study}/series/{sr[0].GetProperty("0020000E").GetProperty("Value")[0].GetString()}/instances", reader);
        Assert.Equal(1, instances.GetArrayLength());

        // No leftovers of the killed attempt are visible: one result folder is referenced, and the scratch area holds
        // nothing from before the restart (the idle worker's overlay pass may be using a scratch folder of its own).
        Assert.Empty(new DirectoryInfo(Path.Combine(data, "store", "tmp")).EnumerateFileSystemInfos().Where(e => e.CreationTimeUtc < restarted.AddSeconds(-1)).Select(e => e.Name));
    }

    [Fact]
    public async Task Sigterm_StopsGracefully_WithExitCodeZero()
    {
        using var temp = TestData.CreateTempFolder();
        var service = await ServiceProcess.StartAsync(Path.Combine(temp.Path, "data"));
        int code = service.Stop(TimeSpan.FromSeconds(60));
        service.Dispose();
        Assert.Equal(0, code);
    }
}
