using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;
using Microsoft.Playwright;
using Xunit;

namespace Headsup.Service.Tests.Browser;

/// <summary>
/// A running embedded service with one study already triaged and one kept back for a live arrival, keys for each role,
/// and Debian's Chromium driven by Playwright (it cannot download its own browsers here). Screenshots go to
/// TestResults/screenshots under the repository (or $HEADSUP_ARTIFACTS).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly TempFolder _temp = TestData.CreateTempFolder();
    private IPlaywright? _playwright;

    /// <summary>The service.</summary>
    public ServiceProcess Service { get; private set; } = null!;

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Keys by role.</summary>
    public Dictionary<string, string> Keys { get; } = [];

    /// <summary>Phantom studies by StudyInstanceUID: files and PatientID. The first is sent before any test, the others are kept for live arrival.</summary>
    public List<(string Study, string PatientId, List<string> Files)> Studies { get; } = [];

    /// <summary>Where screenshots are written.</summary>
    public string Artifacts { get; } = Environment.GetEnvironmentVariable("HEADSUP_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(TestData.RepoRoot, "TestResults", "screenshots");

    /// <summary>axe-core's source (npm, tests/browser/node_modules), injected by the accessibility checks.</summary>
    public string AxeSource { get; private set; } = string.Empty;

    /// <summary>The service's base URL.</summary>
    public string Url => $"http://127.0.0.1:{Service.Port}";

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: scripts/install-deps.sh installs Debian's chromium");
        var axe = Path.Combine(TestData.RepoRoot, "tests", "browser", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(axe), $"{axe} is missing: scripts/install-deps.sh installs it with npm ci --prefix tests/browser");
        AxeSource = await File.ReadAllTextAsync(axe).ConfigureAwait(false);
        Directory.CreateDirectory(Artifacts);

        var phantom = Path.Combine(_temp.Path, "phantom");
        var (code, _, stderr) = ExternalTool.Run("dotnet", [ServiceProcess.Tool, "phantom", "--out", phantom, "--studies", "3", "--seed", "7", "--hemorrhage", "random"], TimeSpan.FromMinutes(5));
        Assert.True(code == 0, "phantom failed: " + stderr);
        foreach (var g in Directory.GetFiles(phantom, "*.dcm", SearchOption.AllDirectories)
                     .Select(f => (File: f, Data: DicomFileReader.Open(f, new DicomReadOptions { StopAtPixelData = true }).Dataset))
                     .GroupBy(x => x.Data.GetString(DicomTags.StudyInstanceUID)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Studies.Add((g.Key, g.First().Data.GetString(DicomTags.PatientID), g.Select(x => x.File).Order(StringComparer.Ordinal).ToList()));
        }

        var data = Path.Combine(_temp.Path, "data");
        foreach (var role in new[] { "admin", "ingest", "reader", "viewer" })
        {
            Keys[role] = ServiceProcess.CreateKey(data, role);
        }

        Service = await ServiceProcess.StartAsync(data, "--stable-seconds", "1").ConfigureAwait(false);
        await SendAsync(Studies[0].Files).ConfigureAwait(false);
        await Service.WaitForStatusAsync(Keys["reader"], Studies[0].Study, TimeSpan.FromMinutes(3), "done", "failed").ConfigureAwait(false);

        _playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--autoplay-policy=no-user-gesture-required", "--disable-gpu", "--disable-dev-shm-usage"],
        }).ConfigureAwait(false);
    }

    /// <summary>STOW-RS of files with the ingest key.</summary>
    public async Task SendAsync(IEnumerable<string> files)
    {
        var (status, body, _) = await Service.StowAsync(Keys["ingest"], files.Select(f => (File.ReadAllBytes(f), "application/dicom"))).ConfigureAwait(false);
        Assert.True((int)status == 200, $"STOW answered {(int)status}: {body}");
    }

    /// <summary>A new page at <paramref name="width"/> × <paramref name="height"/> that records console errors and page errors.</summary>
    /// <remarks>Only the accessibility check bypasses the page's Content-Security-Policy (to add axe-core's script tag); every other page runs under it, so a CSP violation shows as a console error.</remarks>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(int width = 1280, int height = 720, bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = Url, BypassCSP = bypassCsp }).ConfigureAwait(false);
        var page = await context.NewPageAsync().ConfigureAwait(false);
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add("console: " + m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add("page error: " + e);
            }
        };
        return (context, page, errors);
    }

    /// <summary>Signs in on the page the way the external check does: the first text or password input, then Enter.</summary>
    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/").ConfigureAwait(false);
        var input = page.Locator("input[type=text], input[type=password]").First;
        await input.FillAsync(key).ConfigureAwait(false);
        await input.PressAsync("Enter").ConfigureAwait(false);
    }

    /// <summary>Runs axe-core (added as a script tag: the page must come from a context made with bypassCsp) and returns its serious and critical violations.</summary>
    public async Task<List<string>> AxeSeriousAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = AxeSource }).ConfigureAwait(false);
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
            }
            """).ConfigureAwait(false);
        return result.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()} at {v.GetProperty("targets")}")
            .ToList();
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync().ConfigureAwait(false);
        }

        _playwright?.Dispose();
        Service?.Dispose();
        _temp.Dispose();
    }
}

/// <summary>The browser tests and the feedback export share one service and browser.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "browser";
}
