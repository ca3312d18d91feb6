using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// Intake under faults and hostile input: a full disk (a small tmpfs as the store), the service killed in the middle of
/// a STOW upload, 10,000 tiny parts, and a zip bomb. The service stays up, answers with reasons, stores no partial
/// instance, and recovers.
/// </summary>
public sealed class IntakeFaultTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [SkippableFact]
    public async Task DiskFull_ReadyFalseAnd507_NoCorruptFile_RecoversWhenSpaceReturns()
    {
        using var temp = TestData.CreateTempFolder();
        var store = Path.Combine(temp.Path, "store");
        Directory.CreateDirectory(store);
        var (mounted, _, mountError) = ExternalTool.Run("mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", store], TimeSpan.FromSeconds(30));
        Skip.If(mounted != 0, "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): " + mountError.Trim());
        try
        {
            var data = Path.Combine(temp.Path, "data");
            var ingest = ServiceProcess.CreateKey(data, "ingest");
            var reader = ServiceProcess.CreateKey(data, "reader");
            var env = new Dictionary<string, string> { ["Headsup__MinFreeBytes"] = (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            using var service = await ServiceProcess.StartAsync(data, env, "--store", store, "--stable-seconds", "3600");
            var files = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First().Value;

            // Fill the disk to 4 MB free: below the floor → not ready, 507 for intake, nothing stored.
            var filler = Path.Combine(store, "filler.bin");
            Fill(filler, new DriveInfo(store).AvailableFreeSpace - 4L * 1024 * 1024);
            using (var ready = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            var refused = await service.StowAsync(ingest, files.Take(3).Select(f => (File.ReadAllBytes(f), "application/dicom")));
            Assert.Equal((HttpStatusCode)507, refused.Status);
            Assert.Equal("application/problem+json", refused.ContentType);

            // Above the floor but the disk fills during the request: the parts that fit are stored whole, the rest fail
            // with 0xA700, and no stored instance is truncated.
            File.Delete(filler);
            var env2Free = new DriveInfo(store).AvailableFreeSpace;
            Fill(filler, env2Free - (8L * 1024 * 1024 + 2L * 1024 * 1024));
            var partial = await service.StowAsync(ingest, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
            Assert.True(partial.Status is HttpStatusCode.Accepted or HttpStatusCode.OK or (HttpStatusCode)507 or HttpStatusCode.Conflict, partial.Status.ToString());
            await AssertEveryStoredInstanceIsWholeAsync(service, reader, files);

            // Space returns: ready again, the retry stores everything.
            File.Delete(filler);
            using (var ready = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            var retry = await service.StowAsync(ingest, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
            Assert.Equal(HttpStatusCode.OK, retry.Status);
            await AssertEveryStoredInstanceIsWholeAsync(service, reader, files);
        }
        finally
        {
            ExternalTool.Run("umount", ["-l", store], TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task KillDuringStowUpload_NoPartialInstanceVisible_RetrySucceeds()
    {
        using var temp = TestData.CreateTempFolder();
        var data = Path.Combine(temp.Path, "data");
        var ingest = ServiceProcess.CreateKey(data, "ingest");
        var reader = ServiceProcess.CreateKey(data, "reader");
        var files = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last().Value;
        var study = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last().Key;
        using (var first = await ServiceProcess.StartAsync(data, "--stable-seconds", "3600"))
        {
            // Send two thirds of the body by hand on a raw socket, then kill the service mid-upload.
            var boundary = "kill-" + Guid.NewGuid().ToString("N");
            var body = Multipart(boundary, files);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, first.Port);
            var stream = client.GetStream();
            var head = $"POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ingest}\r\nContent-Type: multipart/related; type=\"application/dicom\"; boundary={boundary}\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body.AsMemory(0, body.Length * 2 / 3));
            await stream.FlushAsync();
            await Task.Delay(1500);
            first.Kill();
        }

        using var second = await ServiceProcess.StartAsync(data, "--stable-seconds", "3600");
        await AssertEveryStoredInstanceIsWholeAsync(second, reader, files);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(data, "store", "tmp")));
        var retry = await second.StowAsync(ingest, files.Select(f => (File.ReadAllBytes(f), "application/dicom")));
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        var (_, instances) = await second.GetJsonAsync($"/dicomweb/studies/{study}/instances", reader);
        Assert.Equal(files.Count, instances.GetArrayLength());
    }

    [Fact]
    public async Task TenThousandTinyParts_EachAnsweredWithAReason_ServiceStaysUp()
    {
        var service = fixture.Service;
        var clock = Stopwatch.StartNew();
        var parts = Enumerable.Range(0, 10_000).Select(i => (Encoding.ASCII.GetBytes($"tiny {i}"), "application/dicom")).ToList();
        var result = await service.StowAsync(fixture.IngestKey, parts);
        Assert.Equal(HttpStatusCode.Conflict, result.Status);
        var failed = result.Body.GetProperty("00081198").GetProperty("Value").EnumerateArray().ToList();
        Assert.Equal(10_000, failed.Count);
        Assert.Equal(5000, failed.Count(f => f.GetProperty("00081197").GetProperty("Value")[0].GetInt32() == 0xC000));
        Assert.Equal(5000, failed.Count(f => f.GetProperty("00081197").GetProperty("Value")[0].GetInt32() == 0xA700));
        using var live = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"10,000 tiny parts took {clock.Elapsed}");
    }

    [Fact]
    public async Task ZipBomb_RefusedByItsDeclaredSize_OtherFilesStored()
    {
        var service = fixture.Service;
        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("huge.dcm", CompressionLevel.SmallestSize);
            using var s = entry.Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++)
            {
                s.Write(zeros);
            }
        }

        var good = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last().Value[10];
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bomb.ToArray()), "files", "bomb.zip" },
            { new ByteArrayContent(File.ReadAllBytes(good)), "files", "good.dcm" },
        };
        using var request = ServiceProcess.Request(HttpMethod.Post, "/api/studies", fixture.IngestKey);
        request.Content = form;
        using var response = await service.Http.SendAsync(request);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var failure = Assert.Single(body.GetProperty("failures").EnumerateArray());
        Assert.Contains("bomb.zip", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("limit", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private static async Task AssertEveryStoredInstanceIsWholeAsync(ServiceProcess service, string reader, List<string> files)
    {
        var originals = files.ToDictionary(f => DicomFileReader.Open(f, new DicomReadOptions { StopAtPixelData = true }).Dataset.GetString(DicomTags.SOPInstanceUID), f => File.ReadAllBytes(f));
        var study = DicomFileReader.Open(files[0], new DicomReadOptions { StopAtPixelData = true }).Dataset.GetString(DicomTags.StudyInstanceUID);
        var (status, instances) = await service.GetJsonAsync($"/dicomweb/studies/{study}/instances", reader);
        if (status == HttpStatusCode.NotFound)
        {
            return;
        }

        foreach (var instance in instances.EnumerateArray())
        {
            var url = new Uri(instance.GetProperty("00081190").GetProperty("Value")[0].GetString()!);
            var sop = instance.GetProperty("00080018").GetProperty("Value")[0].GetString()!;
            using var response = await service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, url.PathAndQuery, reader));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var original = originals[sop];
            Assert.True(IndexOf(bytes, original) >= 0, $"instance {sop} does not come back byte for byte");
        }
    }

    private static byte[] Multipart(string boundary, IEnumerable<string> files)
    {
        using var body = new MemoryStream();
        foreach (var f in files)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(File.ReadAllBytes(f));
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return body.ToArray();
    }

    private static void Fill(string path, long bytes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        var chunk = new byte[1 << 20];
        for (long written = 0; written < bytes;)
        {
            int n = (int)Math.Min(chunk.Length, bytes - written);
            file.Write(chunk, 0, n);
            written += n;
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
