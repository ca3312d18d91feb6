using Headsup.Testing;
using Microsoft.Playwright;
using Xunit;

namespace Headsup.Service.Tests.Browser;

/// <summary>
/// Signing in to the pages by redirect to an OIDC provider (authorization code flow with PKCE) in a real browser: the
/// provider's subject and role become the session; no token reaches the page or a URL that stays in the history.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OidcSignInTests(BrowserFixture fx)
{
    [Fact]
    public async Task The_page_signs_in_by_redirect_to_the_OIDC_provider()
    {
        using var issuer = new TestIssuer { User = "dr-browser", Role = "reader" };
        using var temp = TestData.CreateTempFolder();
        var admin = ServiceProcess.CreateKey(Path.Combine(temp.Path, "data"), "admin");
        var env = new Dictionary<string, string>
        {
            ["Headsup__OidcAuthority"] = issuer.Authority,
            ["Headsup__OidcAudience"] = "headsup-api",
            ["Headsup__OidcClientId"] = "headsup-web",
            ["Headsup__OidcRequireHttpsMetadata"] = "false",
        };
        using var service = await ServiceProcess.StartAsync(Path.Combine(temp.Path, "data"), env);
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{service.Port}" });
        await using var ctx = context;
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        await page.GotoAsync("/");
        var link = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Sign in with your organisation (OIDC)" });
        await link.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        await link.ClickAsync();
        await page.Locator("#worklist").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        Assert.Equal(1, issuer.CodesRedeemed);
        Assert.Contains("oidc:dr-browser · reader", await page.Locator("#who").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "headsup_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        var audit = (await service.GetJsonAsync("/api/admin/audit?limit=50", admin)).Body.EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "sign-in" && a.GetProperty("actor").GetString() == "oidc:dr-browser" && a.GetProperty("role").GetString() == "reader");
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // A provider role HEADS UP does not let read the worklist gets no worklist.
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();
        issuer.Role = "ingest";
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Sign in with your organisation (OIDC)" }).ClickAsync();
        await page.GetByText("may not read the worklist").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
    }
}
