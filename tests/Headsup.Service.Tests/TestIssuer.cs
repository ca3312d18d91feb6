using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Headsup.Service.Tests;

/// <summary>
/// A throwaway OIDC provider on a free loopback port: discovery document, JWKS, RS256 access tokens for the API, and
/// the authorization code flow with PKCE for the pages (the authorize endpoint signs in <see cref="User"/> with
/// <see cref="Role"/> at once and redirects back; the token endpoint checks the code verifier and returns an ID token
/// carrying the nonce).
/// </summary>
public sealed class TestIssuer : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _foreign = RSA.Create(2048);
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, (string ClientId, string Nonce, string Challenge, string RedirectUri)> _codes = new();
    private readonly string _discovery;
    private readonly string _jwks;

    /// <summary>Starts the provider.</summary>
    public TestIssuer()
    {
        _server = new LoopbackHttpServer(HandleAsync);
        Authority = _server.BaseUrl;
        var parameters = _rsa.ExportParameters(false);
        _discovery = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["jwks_uri"] = Authority + "/jwks",
            ["authorization_endpoint"] = Authority + "/authorize",
            ["token_endpoint"] = Authority + "/token",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        _jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", kid = "k1", alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } } });
    }

    /// <summary>The issuer URL.</summary>
    public string Authority { get; }

    /// <summary>The subject the authorize endpoint signs in.</summary>
    public string User { get; set; } = "dr-browser";

    /// <summary>The role claim it gives.</summary>
    public string Role { get; set; } = "reader";

    /// <summary>Authorization codes redeemed with a matching code verifier.</summary>
    public int CodesRedeemed { get; private set; }

    /// <summary>An access token for the API.</summary>
    public string Token(string role, string audience = "headsup-api", bool expired = false, bool foreignKey = false)
    {
        var now = DateTime.UtcNow;
        return Sign(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "dr-test"), new Claim("roles", role)]),
            NotBefore = expired ? now.AddHours(-2) : now.AddMinutes(-1),
            Expires = expired ? now.AddHours(-1) : now.AddMinutes(10),
            IssuedAt = expired ? now.AddHours(-2) : now.AddMinutes(-1),
        }, foreignKey);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _server.Dispose();
        _rsa.Dispose();
        _foreign.Dispose();
    }

    private string Sign(SecurityTokenDescriptor descriptor, bool foreignKey = false)
    {
        descriptor.SigningCredentials = new SigningCredentials(new RsaSecurityKey(foreignKey ? _foreign : _rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private async Task HandleAsync(System.Net.HttpListenerContext context)
    {
        var request = context.Request;
        string? json = null;
        switch (request.Url!.AbsolutePath)
        {
            case "/.well-known/openid-configuration":
                json = _discovery;
                break;
            case "/jwks":
                json = _jwks;
                break;
            case "/authorize":
            {
                var q = request.QueryString;
                var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                _codes[code] = (q["client_id"] ?? string.Empty, q["nonce"] ?? string.Empty, q["code_challenge"] ?? string.Empty, q["redirect_uri"] ?? string.Empty);
                context.Response.Redirect($"{q["redirect_uri"]}?code={code}&state={HttpUtility.UrlEncode(q["state"])}");
                context.Response.Close();
                return;
            }

            case "/token":
            {
                using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
                var form = HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
                if (form["code"] is { } code && _codes.TryRemove(code, out var grant) && grant.RedirectUri == form["redirect_uri"] &&
                    Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"] ?? string.Empty))) == grant.Challenge)
                {
                    CodesRedeemed++;
                    var now = DateTime.UtcNow;
                    var idToken = Sign(new SecurityTokenDescriptor
                    {
                        Issuer = Authority,
                        Audience = grant.ClientId,
                        Subject = new ClaimsIdentity([new Claim("sub", User), new Claim("roles", Role), new Claim("nonce", grant.Nonce)]),
                        NotBefore = now.AddMinutes(-1),
                        Expires = now.AddMinutes(10),
                        IssuedAt = now.AddMinutes(-1),
                    });
                    json = JsonSerializer.Serialize(new { access_token = Token(Role), id_token = idToken, token_type = "Bearer", expires_in = 600 });
                }
                else
                {
                    context.Response.StatusCode = 400;
                    json = """{"error":"invalid_grant"}""";
                }

                break;
            }
        }

        if (json is null)
        {
            context.Response.StatusCode = 404;
        }

        context.Response.ContentType = "application/json";
        if (json is not null)
        {
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(json));
        }

        context.Response.Close();
    }
}
