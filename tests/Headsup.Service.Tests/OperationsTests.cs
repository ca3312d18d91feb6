using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// Operations: TLS with a self-signed certificate made by openssl, signed webhooks, late instances making a new result
/// version, the live event stream, rate limiting, the OpenAPI document, and SIGTERM while a job runs.
/// </summary>
public sealed class OperationsTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [SkippableFact]
    public async Task Tls_SelfSignedCertificate_ServesHttpsAndRefusesPlainHttp()
    {
        ExternalTool.Require("openssl");
        using var temp = TestData.CreateTempFolder();
        var cert = Path.Combine(temp.Path, "cert.pem");
        var key = Path.Combine(temp.Path, "key.pem");
        var (code, _, err) = ExternalTool.Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, err);
        using var trust = X509Certificate2.CreateFromPemFile(cert, key);
        var env = new Dictionary<string, string> { ["Kestrel__Certificates__Default__Path"] = cert, ["Kestrel__Certificates__Default__KeyPath"] = key };
        var data = Path.Combine(temp.Path, "data");
        var reader = ServiceProcess.CreateKey(data, "reader");
        using var service = await ServiceProcess.StartAsync(data, env, trust);
        Assert.Equal("https", service.Http.BaseAddress!.Scheme);
        var (status, body) = await service.GetJsonAsync("/api/studies", reader);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("count").GetInt32());
        using var plain = new HttpClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(new Uri($"http://127.0.0.1:{service.Port}/health/live")));
    }

    [Fact]
    public async Task Webhook_SignedEventPerResult_LateInstancesMakeVersion2_EventsStream()
    {
        using var temp = TestData.CreateTempFolder();
        using var hook = new WebhookSink();
        var env = new Dictionary<string, string> { ["Headsup__Webhooks__0__Url"] = hook.Url, ["Headsup__Webhooks__0__Secret"] = "s3cret" };
        var data = Path.Combine(temp.Path, "data");
        var ingest = ServiceProcess.CreateKey(data, "ingest");
        var reader = ServiceProcess.CreateKey(data, "reader");
        using var service = await ServiceProcess.StartAsync(data, env, "--stable-seconds", "1");
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).First();

        using var events = new SseReader(service, reader);
        var first = files.Take(files.Count - 4).ToList();
        Assert.Equal(HttpStatusCode.OK, (await service.StowAsync(ingest, first.Select(f => (File.ReadAllBytes(f), "application/dicom")))).Status);
        var v1 = await service.WaitForStatusAsync(reader, study, TimeSpan.FromMinutes(3), "done");
        Assert.Equal(1, v1.GetProperty("version").GetInt32());

        // Late instances: a second version; the first is kept and listed.
        Assert.Equal(HttpStatusCode.OK, (await service.StowAsync(ingest, files.Skip(first.Count).Select(f => (File.ReadAllBytes(f), "application/dicom")))).Status);
        var deadline = Deadline.In(TimeSpan.FromMinutes(3));
        JsonElement v2;
        do
        {
            await Task.Delay(300);
            v2 = (await service.GetJsonAsync($"/api/studies/{study}", reader)).Body;
        }
        while (!deadline.Passed && !(v2.GetProperty("status").GetString() == "done" && v2.GetProperty("version").GetInt32() == 2));
        Assert.Equal(2, v2.GetProperty("version").GetInt32());
        var versions = v2.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([2, 1], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal([files.Count, first.Count], versions.Select(v => v.GetProperty("instances").GetInt32()));

        // One signed event per version, HMAC-SHA256 of the body with the secret.
        var received = await hook.WaitForAsync(2, TimeSpan.FromMinutes(1));
        foreach (var (body, signature) in received)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("s3cret"u8, body));
            Assert.Equal(expected, signature);
            var doc = JsonDocument.Parse(body).RootElement;
            Assert.Equal(study, doc.GetProperty("study_instance_uid").GetString());
            Assert.True(doc.GetProperty("probability").GetDouble() is >= 0 and <= 1);
        }

        Assert.Equal([1, 2], received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("version").GetInt32()).Order());

        // The event stream tells of the latest state of each study (it polls, so a state that lasted less than a poll
        // may be skipped): the final 'done' arrives.
        var seen = events.Lines();
        for (var until = Deadline.In(TimeSpan.FromSeconds(10)); !until.Passed && !seen.Any(l => l.Contains("\"status\":\"done\"", StringComparison.Ordinal) && l.Contains("\"version\":2", StringComparison.Ordinal)); seen = events.Lines())
        {
            await Task.Delay(200);
        }

        Assert.True(seen.Any(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Contains("\"status\":\"done\"", StringComparison.Ordinal) && l.Contains(study, StringComparison.Ordinal)),
            "no 'done' event for the study in:\n" + string.Join("\n", seen));
        Assert.DoesNotContain(seen, l => l.Contains("patient_name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateLimit_BeyondThePermit_Answers429ProblemJson_HealthExempt()
    {
        using var temp = TestData.CreateTempFolder();
        var data = Path.Combine(temp.Path, "data");
        var reader = ServiceProcess.CreateKey(data, "reader");
        using var service = await ServiceProcess.StartAsync(data, new Dictionary<string, string> { ["Headsup__RateLimitPerMinute"] = "5" });
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 8; i++)
        {
            using var r = await service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/api/studies", reader));
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        using var health = await service.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheContractRoutes()
    {
        var (status, doc) = await fixture.Service.GetJsonAsync("/openapi/v1.json", fixture.ReaderKey);
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var route in new[] { "/dicomweb/studies", "/dicomweb/studies/{study}/series", "/dicomweb/studies/{study}/series/{series}/instances/{instance}", "/api/studies", "/api/studies/{study}", "/health/ready" })
        {
            Assert.Contains(route, paths);
        }

        using var page = await fixture.Service.Http.SendAsync(ServiceProcess.Request(HttpMethod.Get, "/docs/", fixture.ReaderKey));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Sigterm_WhileAJobRuns_FinishesItBeforeExiting()
    {
        using var temp = TestData.CreateTempFolder();
        var data = Path.Combine(temp.Path, "data");
        var ingest = ServiceProcess.CreateKey(data, "ingest");
        var reader = ServiceProcess.CreateKey(data, "reader");
        var (study, files) = fixture.Studies.OrderBy(s => s.Key, StringComparer.Ordinal).Last();
        using (var service = await ServiceProcess.StartAsync(data, "--stable-seconds", "0.5"))
        {
            Assert.Equal(HttpStatusCode.OK, (await service.StowAsync(ingest, files.Select(f => (File.ReadAllBytes(f), "application/dicom")))).Status);
            await service.WaitForStatusAsync(reader, study, TimeSpan.FromMinutes(2), "running");
            Assert.Equal(0, service.Stop(TimeSpan.FromSeconds(90)));
        }

        using var again = await ServiceProcess.StartAsync(data, "--stable-seconds", "0.5");
        var (_, body) = await again.GetJsonAsync($"/api/studies/{study}", reader);
        Assert.Equal("done", body.GetProperty("status").GetString());
        Assert.Equal(1, Assert.Single(body.GetProperty("versions").EnumerateArray()).GetProperty("attempts").GetInt32());
    }

    /// <summary>A loopback HTTP endpoint that records webhook posts.</summary>
    private sealed class WebhookSink : IDisposable
    {
        private readonly List<(byte[] Body, string Signature)> _received = [];
        private readonly LoopbackHttpServer _server;

        public WebhookSink()
        {
            _server = new LoopbackHttpServer(async context =>
            {
                using var ms = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(ms);
                lock (_received)
                {
                    _received.Add((ms.ToArray(), context.Request.Headers["X-Headsup-Signature"] ?? string.Empty));
                }

                context.Response.StatusCode = 204;
                context.Response.Close();
            });
        }

        public string Url => _server.BaseUrl + "/hook/";

        public async Task<List<(byte[] Body, string Signature)>> WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = Deadline.In(timeout);
            while (!deadline.Passed)
            {
                lock (_received)
                {
                    if (_received.Count >= count)
                    {
                        return [.. _received];
                    }
                }

                await Task.Delay(200);
            }

            lock (_received)
            {
                return [.. _received];
            }
        }

        public void Dispose() => _server.Dispose();
    }

    /// <summary>Reads /api/events in the background.</summary>
    private sealed class SseReader : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _lines = [];
        private readonly Task _loop;

        public SseReader(ServiceProcess service, string key)
        {
            _loop = Task.Run(async () =>
            {
                try
                {
                    using var request = ServiceProcess.Request(HttpMethod.Get, "/api/events", key);
                    using var response = await service.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token), Encoding.UTF8);
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        lock (_lines)
                        {
                            _lines.Add(line);
                        }
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
                {
                    // stopped
                }
            });
        }

        public List<string> Lines()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }
}
