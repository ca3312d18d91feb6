using System.Net;
using System.Text;
using System.Text.Json;
using Headsup.Testing;
using Microsoft.Playwright;
using Xunit;

namespace Headsup.Service.Tests.Browser;

/// <summary>
/// The worklist and study pages in a real browser (Debian's Chromium through Playwright): sign-in, a study arriving
/// live and getting its decision, the study page and its viewer, feedback, what a user without the reader role sees,
/// console errors, accessibility (axe-core) and small screens.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorklistBrowserTests(BrowserFixture fx)
{
    private static readonly TimeSpan s_triage = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_reader_signs_in_and_sees_a_study_arrive_live_and_get_its_decision()
    {
        var (context, page, errors) = await fx.NewPageAsync();
        await using var ctx1 = context;
        await BrowserFixture.SignInAsync(page, fx.Keys["reader"]);
        await page.Locator("#worklist").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        Assert.DoesNotContain("hu_", page.Url, StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "headsup_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        // The study triaged before the page loaded is there with its PatientID.
        var first = page.Locator($"tr[data-uid='{fx.Studies[0].Study}']");
        await first.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.Contains(fx.Studies[0].PatientId, await first.InnerTextAsync(), StringComparison.Ordinal);

        // A study sent after the page loaded appears without a reload, then gets its decision.
        var live = fx.Studies[1];
        var sent = DateTime.UtcNow;
        await fx.SendAsync(live.Files);
        var row = page.Locator($"tr[data-uid='{live.Study}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        var appeared = DateTime.UtcNow - sent;
        Assert.Contains(await row.GetAttributeAsync("data-status"), new[] { "receiving", "queued", "running", "done" });
        Assert.Contains(live.PatientId, await row.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator($"tr[data-uid='{live.Study}']:not([data-decision=''])").WaitForAsync(new LocatorWaitForOptions { Timeout = (float)s_triage.TotalMilliseconds });
        var decision = await row.GetAttributeAsync("data-decision");
        var api = await fx.Service.GetJsonAsync($"/api/studies/{live.Study}", fx.Keys["reader"]);
        Assert.Equal(api.Body.GetProperty("decision").GetString(), decision);
        if (decision == "ich_likely")
        {
            Assert.Contains("flagged", await row.GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
            Assert.True(await page.Locator("#alert").IsVisibleAsync(), "a new flagged study raises the visible alert");
        }

        Assert.True(appeared < TimeSpan.FromSeconds(10), $"the row appeared {appeared.TotalSeconds:0.0} s after the STOW");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.Artifacts, "worklist.png") });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_study_page_scrolls_switches_windows_toggles_the_overlay_and_takes_feedback()
    {
        var (context, page, errors) = await fx.NewPageAsync();
        await using var ctx1 = context;
        var study = fx.Studies[0].Study;
        await BrowserFixture.SignInAsync(page, fx.Keys["reader"]);
        await page.Locator($"tr[data-uid='{study}'] a").ClickAsync();
        var canvas = page.Locator("canvas[data-slice]");
        await canvas.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.Contains(fx.Studies[0].PatientId, await page.Locator(".study-head").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("NOT FOR DIAGNOSTIC USE", await page.Locator("#study").InnerTextAsync(), StringComparison.Ordinal);

        // Opens on the first key slice with its overlay.
        var detail = (await fx.Service.GetJsonAsync($"/api/studies/{study}", fx.Keys["reader"])).Body;
        var slices = detail.GetProperty("slices").EnumerateArray().Select(s => s.GetProperty("sop_instance_uid").GetString()).ToList();
        int key = slices.IndexOf(detail.GetProperty("key_slices")[0].GetProperty("sop_instance_uid").GetString());
        await Expect(canvas, "data-slice", (key + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(canvas, "data-overlay", "true");
        await Expect(canvas, "data-window", "40/80");

        // Scroll: arrow keys and the wheel.
        await canvas.FocusAsync();
        int step = key + 1 < slices.Count ? 1 : -1;
        await page.Keyboard.PressAsync(step > 0 ? "ArrowDown" : "ArrowUp");
        await Expect(canvas, "data-slice", (key + 1 + step).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await canvas.HoverAsync();
        await page.Mouse.WheelAsync(0, -step * 100);
        await Expect(canvas, "data-slice", (key + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Window presets and free window/level by drag.
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "subdural 80/200" }).ClickAsync();
        await Expect(canvas, "data-window", "80/200");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "bone 600/2800" }).ClickAsync();
        await Expect(canvas, "data-window", "600/2800");
        var box = (await canvas.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width / 2 - 40, box.Y + box.Height / 2 + 10, new MouseMoveOptions { Steps = 4 });
        await page.Mouse.UpAsync();
        Assert.NotEqual("600/2800", await canvas.GetAttributeAsync("data-window"));

        // Overlay off and on.
        await page.Locator("#overlay-on").UncheckAsync();
        await Expect(canvas, "data-overlay", "false");
        await page.Locator("#overlay-on").CheckAsync();
        await Expect(canvas, "data-overlay", "true");

        // A point of the probability plot opens its slice.
        int target = slices.Count / 2 == key ? 0 : slices.Count / 2;
        await page.Locator($".plot circle[data-index='{target}']").DispatchEventAsync("click");
        await Expect(canvas, "data-slice", (target + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        // XRAI overlays by default: the worker's second pass after the fast Grad-CAM result replaces the key-slice
        // overlays in place (the page is not reloaded; the viewer keeps its slice).
        int before = int.Parse((await canvas.GetAttributeAsync("data-slice"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("#keys-title")).ToContainTextAsync("XRAI", new LocatorAssertionsToContainTextOptions { Timeout = 360_000 });
        foreach (var img in await page.Locator(".keys img").AllAsync())
        {
            Assert.Contains("/explain-xrai/", await img.GetAttributeAsync("src"), StringComparison.Ordinal);
        }

        Assert.Equal(before.ToString(System.Globalization.CultureInfo.InvariantCulture), await canvas.GetAttributeAsync("data-slice"));

        await page.Locator(".keys button").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "brain 40/80" }).ClickAsync();
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.Artifacts, "study.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.Artifacts, "study-full.png"), FullPage = true });

        // Feedback: a bleed the reader sees (agree with a flag, disagree with "no ICH flagged", or "present" when the model
        // made no decision because its study calibration rests on too few real studies), a subtype, a slice label.
        var decision = detail.GetProperty("decision").GetString();
        bool flagged = decision == "ich_likely";
        if (decision == "no_decision")
        {
            Assert.Equal("insufficient real data", detail.GetProperty("calibration").GetString());
            Assert.Contains("no decision", await page.Locator(".study-head").InnerTextAsync(), StringComparison.Ordinal);
            await page.Locator("input[name=hemorrhage][value=yes]").CheckAsync();
        }
        else
        {
            await page.Locator($"input[name=agree][value={(flagged ? "yes" : "no")}]").CheckAsync();
        }

        await page.Locator("input[name=subtype][value=subdural]").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Bleed on this slice", Exact = true }).ClickAsync();
        await page.Locator("#fb-comment").FillAsync("browser test read");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Send feedback" }).ClickAsync();
        await page.GetByText("Feedback saved").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });

        var stored = (await fx.Service.GetJsonAsync($"/api/studies/{study}/feedback", fx.Keys["reader"])).Body.GetProperty("feedback")[0];
        if (decision == "no_decision")
        {
            Assert.Equal(JsonValueKind.Null, stored.GetProperty("agree").ValueKind);
        }
        else
        {
            Assert.Equal(flagged, stored.GetProperty("agree").GetBoolean());
        }

        Assert.True(stored.GetProperty("hemorrhage").GetBoolean());
        Assert.Equal("subdural", stored.GetProperty("subtypes")[0].GetString());
        Assert.Equal(1, stored.GetProperty("slices").GetArrayLength());
        Assert.StartsWith("key_", stored.GetProperty("actor").GetString(), StringComparison.Ordinal);

        // … and it shows on the worklist.
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "← Worklist" }).ClickAsync();
        var row = page.Locator($"tr[data-uid='{study}']");
        await row.WaitForAsync();
        await Assertions.Expect(row).ToContainTextAsync(decision == "no_decision" ? "read: bleed" : flagged ? "agree" : "disagree", new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        if (decision == "no_decision")
        {
            Assert.True(await page.Locator("#calibration-note").IsVisibleAsync(), "the worklist says why nothing is flagged");
        }

        // The audit trail names the reader's key for the feedback and the images read.
        var audit = (await fx.Service.GetJsonAsync($"/api/admin/audit?study={study}&limit=200", fx.Keys["admin"])).Body.EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "feedback" && a.GetProperty("actor").GetString() == stored.GetProperty("actor").GetString());
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "read-images");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task A_user_without_the_reader_role_never_sees_patient_ids()
    {
        var (context, page, errors) = await fx.NewPageAsync();
        await using var ctx1 = context;
        await BrowserFixture.SignInAsync(page, fx.Keys["viewer"]);
        var row = page.Locator($"tr[data-uid='{fx.Studies[0].Study}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.False(await page.Locator("#f-q").IsVisibleAsync(), "the patient search is for readers only");
        Assert.DoesNotContain(fx.Studies[0].PatientId, await page.ContentAsync(), StringComparison.Ordinal);
        await row.Locator("a").ClickAsync();
        await page.Locator("canvas[data-slice]").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.DoesNotContain(fx.Studies[0].PatientId, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("a[href$='.dcm']").CountAsync());
        Assert.Equal(0, await page.Locator("#fb-comment").CountAsync());

        // The API behind the page says the same.
        var worklist = await page.EvaluateAsync<JsonElement>("async () => (await (await fetch('/api/studies')).json()).studies");
        Assert.All(worklist.EnumerateArray(), s => Assert.False(s.TryGetProperty("patient_id", out _)));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(403, await page.EvaluateAsync<int>("async () => (await fetch('/api/studies?q=PHANTOM')).status"));

        // An ingest key signs in but may not read the worklist at all.
        var (context2, page2, errors2) = await fx.NewPageAsync();
        await using var ctx2 = context2;
        await BrowserFixture.SignInAsync(page2, fx.Keys["ingest"]);
        await page2.GetByText("may not read the worklist").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.DoesNotContain(fx.Studies[0].PatientId, await page2.ContentAsync(), StringComparison.Ordinal);
        Assert.True(errors2.Count == 0, string.Join("\n", errors2));
    }

    [Fact]
    public async Task The_pages_pass_axe_work_by_keyboard_and_fit_a_tablet()
    {
        var (context, page, errors) = await fx.NewPageAsync(bypassCsp: true);
        await using var ctx1 = context;
        await BrowserFixture.SignInAsync(page, fx.Keys["reader"]);
        await page.Locator($"tr[data-uid='{fx.Studies[0].Study}']").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        AssertNone(await fx.AxeSeriousAsync(page));

        // Keyboard only: Tab reaches the study's link, Enter opens it.
        var link = page.Locator($"tr[data-uid='{fx.Studies[0].Study}'] a");
        for (int i = 0; i < 40 && !await link.EvaluateAsync<bool>("a => a === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.True(await link.EvaluateAsync<bool>("a => a === document.activeElement"), "Tab never reached the study link");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("canvas[data-slice]").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        AssertNone(await fx.AxeSeriousAsync(page));
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // A tablet: nothing wider than the screen (the table scrolls inside its box).
        var (tablet, tabletPage, tabletErrors) = await fx.NewPageAsync(768, 1024);
        await using var ctx3 = tablet;
        await BrowserFixture.SignInAsync(tabletPage, fx.Keys["reader"]);
        await tabletPage.Locator($"tr[data-uid='{fx.Studies[0].Study}']").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        Assert.True(await tabletPage.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the worklist is wider than a tablet");
        await tabletPage.Locator($"tr[data-uid='{fx.Studies[0].Study}'] a").ClickAsync();
        await tabletPage.Locator("canvas[data-slice]").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.True(await tabletPage.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the study page is wider than a tablet");
        await tabletPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fx.Artifacts, "study-tablet.png"), FullPage = true });
        Assert.True(tabletErrors.Count == 0, string.Join("\n", tabletErrors));
    }

    [Fact]
    public async Task Sessions_are_cookies_that_end_with_sign_out_or_a_revoked_key_and_refuse_other_origins()
    {
        var (status, created) = await PostJsonAsync(fx.Service.Http, "/api/admin/keys", """{"role":"reader","label":"session test"}""", fx.Keys["admin"]);
        Assert.Equal(HttpStatusCode.Created, status);
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true };
        using var browser = new HttpClient(handler) { BaseAddress = new Uri(fx.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri("/api/studies", UriKind.Relative))).StatusCode);
        var (wrong, problem) = await PostJsonAsync(browser, "/api/session", """{"key":"hu_not-a-key"}""", null);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Contains("key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (ok, session) = await PostJsonAsync(browser, "/api/session", JsonSerializer.Serialize(new { key }), null);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("reader", session.GetProperty("role").GetString());
        Assert.True(session.GetProperty("identifiers").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("/api/studies", UriKind.Relative))).StatusCode);

        // A state change with the cookie from another origin is refused (SameSite=Strict keeps real browsers from sending it at all).
        using (var forged = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/studies/{fx.Studies[0].Study}/feedback", UriKind.Relative)))
        {
            forged.Headers.Add("Origin", "http://evil.example");
            forged.Content = new StringContent("""{"agree":true}""", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(forged)).StatusCode);
        }

        // Bad feedback names the part that is wrong.
        var (bad, badProblem) = await PostJsonAsync(browser, $"/api/studies/{fx.Studies[0].Study}/feedback", """{"agree":true,"subtypes":["tumour"]}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.StartsWith("subtypes:", badProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Feedback must fit the result: agree/disagree on a decision, hemorrhage yes/no when the model made none.
        var decided = (await fx.Service.GetJsonAsync($"/api/studies/{fx.Studies[0].Study}", fx.Keys["reader"])).Body.GetProperty("decision").GetString();
        var (mismatch, mismatchProblem) = await PostJsonAsync(browser, $"/api/studies/{fx.Studies[0].Study}/feedback", decided == "no_decision" ? """{"agree":true}""" : """{"hemorrhage":true}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch);
        Assert.StartsWith(decided == "no_decision" ? "agree: this result made no decision" : "agree: required", mismatchProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Revoking the key ends the session (checked at most every 15 s).
        using (var revoke = ServiceProcess.Request(HttpMethod.Delete, $"/api/admin/keys/{id}", fx.Keys["admin"]))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await fx.Service.Http.SendAsync(revoke)).StatusCode);
        }

        // A monotonic deadline: a wall-clock step on the test machine must not end the wait early.
        var deadline = Deadline.In(TimeSpan.FromSeconds(25));
        HttpStatusCode after;
        do
        {
            await Task.Delay(500);
            after = (await browser.GetAsync(new Uri("/api/studies", UriKind.Relative))).StatusCode;
        }
        while (after == HttpStatusCode.OK && !deadline.Passed);
        Assert.Equal(HttpStatusCode.Unauthorized, after);

        // Sign-out removes the cookie.
        var (_, again) = await PostJsonAsync(browser, "/api/session", JsonSerializer.Serialize(new { key = fx.Keys["reader"] }), null);
        Assert.Equal("reader", again.GetProperty("role").GetString());
        using (var signOut = new HttpRequestMessage(HttpMethod.Delete, new Uri("/api/session", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(signOut)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(new Uri("/api/studies", UriKind.Relative))).StatusCode);
        Assert.Contains("\"signed_in\":false", await browser.GetStringAsync(new Uri("/api/session", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static void AssertNone(List<string> violations) => Assert.True(violations.Count == 0, string.Join("\n", violations));

    private static async Task Expect(ILocator locator, string attribute, string value)
    {
        var deadline = Deadline.In(TimeSpan.FromSeconds(10));
        string? actual;
        while ((actual = await locator.GetAttributeAsync(attribute)) != value && !deadline.Passed)
        {
            await Task.Delay(50);
        }

        Assert.True(actual == value, $"{attribute}: expected {value}, got {actual}");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(HttpClient client, string path, string json, string? key)
    {
        using var request = ServiceProcess.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
