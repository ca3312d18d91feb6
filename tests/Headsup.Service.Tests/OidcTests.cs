using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Headsup.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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

    /// <summary>An OIDC issuer on a free loopback port: discovery document, JWKS, RS256 tokens.</summary>
    private sealed class TestIssuer : IDisposable
    {
        private readonly RSA _rsa = RSA.Create(2048);
        private readonly RSA _foreign = RSA.Create(2048);
        private readonly LoopbackHttpServer _server;
        private string _discovery = string.Empty;
        private string _jwks = string.Empty;

        public TestIssuer()
        {
            _server = new LoopbackHttpServer(async context =>
            {
                var body = context.Request.Url!.AbsolutePath switch
                {
                    "/.well-known/openid-configuration" => _discovery,
                    "/jwks" => _jwks,
                    _ => null,
                };
                context.Response.StatusCode = body is null ? 404 : 200;
                context.Response.ContentType = "application/json";
                if (body is not null)
                {
                    await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
                }

                context.Response.Close();
            });
            Authority = _server.BaseUrl;
            var parameters = _rsa.ExportParameters(false);
            _discovery = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Authority,
                ["jwks_uri"] = Authority + "/jwks",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
            _jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", kid = "k1", alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } } });
        }

        public string Authority { get; }

        public string Token(string role, string audience = "headsup-api", bool expired = false, bool foreignKey = false)
        {
            var now = DateTime.UtcNow;
            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = Authority,
                Audience = audience,
                Subject = new ClaimsIdentity([new Claim("sub", "dr-test"), new Claim("roles", role)]),
                NotBefore = expired ? now.AddHours(-2) : now.AddMinutes(-1),
                Expires = expired ? now.AddHours(-1) : now.AddMinutes(10),
                IssuedAt = expired ? now.AddHours(-2) : now.AddMinutes(-1),
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(foreignKey ? _foreign : _rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
            };
            return new JsonWebTokenHandler().CreateToken(descriptor);
        }

        public void Dispose()
        {
            _server.Dispose();
            _rsa.Dispose();
            _foreign.Dispose();
        }
    }
}
