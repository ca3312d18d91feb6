using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Headsup.Service.Security;

/// <summary>
/// Authenticates "Authorization: Bearer hu_…" API keys (the header DICOMweb clients such as Orthanc's plugin can set).
/// The principal carries the key id as its name and the key's role.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var key = header["Bearer ".Length..].Trim();
        if (!key.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var found = await keys.FindAsync(key, Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } k)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, k.Id), new Claim(ClaimTypes.Role, k.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 401, "Unauthorized", "this route needs 'Authorization: Bearer <API key>' (create one with `headsup serve keys create`)");

    /// <inheritdoc/>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 403, "Forbidden", $"the key's role may not use {Request.Method} {Request.Path}");
}
