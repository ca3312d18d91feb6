using System.Net;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// Optional OIDC bearer tokens: a throwaway issuer on loopback (discovery document and JWKS) signs RS256 tokens; the
/// service validates issuer, audience, lifetime and signature, and maps the "roles" claim onto the same roles as keys.
/// </summary>
public sealed class OidcTests
{
    [Fact]
    public async Task OidcToken_RolesApply_BadTokensRefused_KeysStillWork()
    {
        using var issuer = new TestIssuer();
        using var temp = TestData.CreateTempFolder();
        var data = Path.Combine(temp.Path, "data");
        var key = ServiceProcess.CreateKey(data, "reader");
        var env = new Dictionary<string, string>
        {
            ["Headsup__OidcAuthority"] = issuer.Authority,
            ["Headsup__OidcAudience"] = "headsup-api",
            ["Headsup__OidcRequireHttpsMetadata"] = "false",
        };
        using var service = await ServiceProcess.StartAsync(data, env);

        Assert.Equal(HttpStatusCode.OK, (await service.GetJsonAsync("/api/studies", issuer.Token("reader"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetJsonAsync("/api/studies", issuer.Token("ingest"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await service.GetJsonAsync("/api/admin/audit", issuer.Token("admin"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetJsonAsync("/api/studies", issuer.Token("reader", audience: "someone-else"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetJsonAsync("/api/studies", issuer.Token("reader", expired: true))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetJsonAsync("/api/studies", issuer.Token("reader", foreignKey: true))).Status);
        Assert.Equal(HttpStatusCode.OK, (await service.GetJsonAsync("/api/studies", key)).Status);

        // The audit names the token's subject.
        var (_, audit) = await service.GetJsonAsync("/api/admin/audit?limit=50", issuer.Token("admin"));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("actor").GetString() == "oidc:dr-test" && e.GetProperty("role").GetString() == "reader");
    }
}
