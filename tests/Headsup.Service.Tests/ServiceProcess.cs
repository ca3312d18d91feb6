using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Headsup.Testing;

namespace Headsup.Service.Tests;

/// <summary>
/// A throwaway `headsup serve` process on 127.0.0.1 with a free port and its own data folder; stopped by its process
/// id (SIGTERM, or SIGKILL for fault tests), never by name.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServiceProcess(string dataDir, int port, Process process, System.Security.Cryptography.X509Certificates.X509Certificate2? trust)
    {
        DataDir = dataDir;
        Port = port;
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var handler = new HttpClientHandler();
        if (trust is not null)
        {
            // Trust exactly the test's self-signed certificate.
            handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == trust.Thumbprint;
        }

        Http = new HttpClient(handler) { BaseAddress = new Uri($"{(trust is null ? "http" : "https")}://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(3) };
    }

    /// <summary>The data folder.</summary>
    public string DataDir { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>A client for the service (no key set).</summary>
    public HttpClient Http { get; }

    /// <summary>What the process printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The headsup.dll beside the tests.</summary>
    public static string Tool => Path.Combine(AppContext.BaseDirectory, "headsup.dll");

    /// <summary>Starts the service and waits until /health/ready answers 200 (model loaded).</summary>
    public static Task<ServiceProcess> StartAsync(string dataDir, params string[] extra) => StartAsync(dataDir, null, extra);

    /// <summary>Starts the service with extra environment variables and waits until it is ready.</summary>
    public static Task<ServiceProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? environment, params string[] extra) =>
        StartAsync(dataDir, environment, null, extra);

    /// <summary>Starts the service over HTTPS (Kestrel certificate settings in <paramref name="environment"/>) when <paramref name="trust"/> is given.</summary>
    public static async Task<ServiceProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? environment, System.Security.Cryptography.X509Certificates.X509Certificate2? trust, params string[] extra)
    {
        int port = Ports.Free();
        string scheme = trust is null ? "http" : "https";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        foreach (var a in new[] { Tool, "serve", "--data-dir", dataDir, "--urls", $"{scheme}://127.0.0.1:{port}" }.Concat(extra))
        {
            info.ArgumentList.Add(a);
        }

        var service = new ServiceProcess(dataDir, port, Process.Start(info)!, trust);
        var deadline = Deadline.In(TimeSpan.FromSeconds(120));
        while (!deadline.Passed)
        {
            if (service._process.HasExited)
            {
                throw new InvalidOperationException("headsup serve exited early:\n" + service.Log);
            }

            try
            {
                using var r = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative)).ConfigureAwait(false);
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        service.Dispose();
        throw new TimeoutException("headsup serve did not become ready in 120 s:\n" + service.Log);
    }

    /// <summary>Creates a key with `headsup serve keys create` (the key is the last line of stdout).</summary>
    public static string CreateKey(string dataDir, string role, string? database = null)
    {
        var (code, stdout, stderr) = Headsup.Testing.ExternalTool.Run("dotnet",
            database is null ? [Tool, "serve", "keys", "create", "--data-dir", dataDir, "--role", role] : [Tool, "serve", "keys", "create", "--data-dir", dataDir, "--database", database, "--role", role], TimeSpan.FromMinutes(2));
        if (code != 0)
        {
            throw new InvalidOperationException($"keys create failed ({code}): {stderr}");
        }

        return stdout.TrimEnd().Split('\n')[^1].Trim();
    }

    /// <summary>A request with a bearer key.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? key)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    /// <summary>GET JSON with a key.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(string path, string key)
    {
        using var response = await Http.SendAsync(Request(HttpMethod.Get, path, key)).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>STOW-RS of files (or raw parts) in one request.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body, string ContentType)> StowAsync(string key, IEnumerable<(byte[] Content, string ContentType)> parts, string path = "/dicomweb/studies", string? outerType = null)
    {
        var boundary = "test-" + Guid.NewGuid().ToString("N");
        using var body = new MemoryStream();
        foreach (var (content, type) in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: {type}\r\n\r\n"));
            body.Write(content);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        using var request = Request(HttpMethod.Post, path, key);
        request.Content = new ByteArrayContent(body.ToArray());
        request.Content.Headers.TryAddWithoutValidation("Content-Type", outerType ?? $"multipart/related; type=\"application/dicom\"; boundary={boundary}");
        using var response = await Http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType ?? string.Empty);
    }

    /// <summary>Polls a study until its status is one of <paramref name="states"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string key, string study, TimeSpan timeout, params string[] states)
    {
        var deadline = Deadline.In(timeout);
        JsonElement last = default;
        while (!deadline.Passed)
        {
            var (status, body) = await GetJsonAsync($"/api/studies/{study}", key).ConfigureAwait(false);
            if (status == HttpStatusCode.OK)
            {
                last = body;
                if (states.Contains(body.GetProperty("status").GetString()))
                {
                    return body;
                }
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"study did not reach {string.Join("/", states)} in {timeout}: last {last}\n{Log}");
    }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Sends SIGKILL (a crash) and waits for the exit.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _ = Signals.Send(_process.Id, 9);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Sends SIGTERM (graceful stop) and waits up to <paramref name="wait"/>; returns the exit code.</summary>
    public int Stop(TimeSpan wait)
    {
        if (!_process.HasExited)
        {
            _ = Signals.Send(_process.Id, 15);
            if (!_process.WaitForExit(wait))
            {
                Kill();
            }
        }

        return _process.ExitCode;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Stop(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        Http.Dispose();
        _process.Dispose();
    }

}
