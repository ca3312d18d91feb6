using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;

namespace Headsup.Service.Security;

/// <summary>The outcome of a sign-in: the principal's name, role and how it authenticated; or why it was refused.</summary>
/// <param name="Ok">Signed in.</param>
/// <param name="Name">Key id or token subject.</param>
/// <param name="Role">The role (the first, when a token carries several).</param>
/// <param name="Error">Why the credential was refused.</param>
public sealed record SignInResult(bool Ok, string? Name, string? Role, string? Error);

/// <summary>
/// Browser sessions: the page trades an API key (or an OIDC access token) once for a session cookie (HttpOnly,
/// SameSite=Strict, Secure over HTTPS), so no key ever sits in a URL or in the page's storage. Sessions made from a
/// key end when the key is revoked (checked at most every 15 s per key).
/// </summary>
public sealed class Sessions(ApiKeys keys, ServiceOptions options)
{
    /// <summary>The cookie authentication scheme.</summary>
    public const string Scheme = "session";

    /// <summary>The OIDC redirect sign-in scheme (when a client id is configured).</summary>
    public const string OidcScheme = "oidc-web";

    /// <summary>The cookie's name.</summary>
    public const string CookieName = "headsup_session";

    /// <summary>A claim every session principal carries (cookie-authenticated requests are checked for their origin).</summary>
    public const string SessionClaim = "headsup:session";

    /// <summary>The API key id a session was made from.</summary>
    public const string KeyClaim = "headsup:key";

    private readonly ConcurrentDictionary<string, (bool Active, long CheckedAt)> _keyState = new(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="credential"/> (an API key "hu_…" or an OIDC access token) and issues the session cookie.</summary>
    public async Task<SignInResult> SignInAsync(HttpContext context, string? credential)
    {
        ArgumentNullException.ThrowIfNull(context);
        credential = credential?.Trim();
        if (string.IsNullOrEmpty(credential) || credential.Length > 16 * 1024)
        {
            return new SignInResult(false, null, null, "key: give an API key (hu_…) or an OIDC access token");
        }

        bool isKey = credential.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal);
        if (!isKey && options.OidcAuthority is null)
        {
            return new SignInResult(false, null, null, "key: not an API key (they start with hu_), and this service has no OIDC authority configured");
        }

        string name;
        List<string> roles;
        if (isKey)
        {
            // The key is checked directly: the request's own authentication already ran (without a header) and its
            // handler keeps that result.
            if (await keys.FindAsync(credential, context.RequestAborted).ConfigureAwait(false) is not { } key)
            {
                return new SignInResult(false, null, null, "key: unknown or revoked API key");
            }

            name = key.Id;
            roles = [key.Role];
        }
        else
        {
            context.Request.Headers.Authorization = "Bearer " + credential;
            var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
            context.Request.Headers.Authorization = default;
            if (!result.Succeeded || result.Principal.Identity is not ClaimsIdentity source || source.Name is null)
            {
                return new SignInResult(false, null, null, "key: the token was refused: " + (result.Failure?.Message ?? "missing or invalid"));
            }

            name = source.Name;
            roles = source.FindAll(source.RoleClaimType).Select(c => c.Value).Where(Roles.All.Contains).ToList();
        }

        var identity = new ClaimsIdentity(isKey ? ApiKeyAuthenticationHandler.SchemeName : "oidc", ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        identity.AddClaims(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        identity.AddClaim(new Claim(SessionClaim, "1"));
        if (isKey)
        {
            identity.AddClaim(new Claim(KeyClaim, name));
        }

        var principal = new ClaimsPrincipal(identity);
        await context.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = false, AllowRefresh = true }).ConfigureAwait(false);
        context.User = principal;
        return new SignInResult(true, name, roles.FirstOrDefault(), null);
    }

    /// <summary>The session principal for a validated ID token: its subject and the roles HEADS UP knows.</summary>
    public static ClaimsPrincipal OidcPrincipal(ClaimsPrincipal token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var source = token.Identity as ClaimsIdentity ?? throw new InvalidOperationException("the ID token has no identity");
        var identity = new ClaimsIdentity("oidc", ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, source.Name ?? "unknown"));
        identity.AddClaims(source.FindAll(source.RoleClaimType).Select(c => c.Value).Where(Roles.All.Contains).Distinct().Select(r => new Claim(ClaimTypes.Role, r)));
        identity.AddClaim(new Claim(SessionClaim, "1"));
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Cookie validation: a session made from a key that has since been revoked is rejected and its cookie removed.</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal?.FindFirst(KeyClaim)?.Value is not { } keyId)
        {
            return;
        }

        long now = Environment.TickCount64;
        if (!_keyState.TryGetValue(keyId, out var state) || now - state.CheckedAt > 15_000)
        {
            bool active = await keys.IsActiveAsync(keyId, context.HttpContext.RequestAborted).ConfigureAwait(false);
            state = (active, now);
            _keyState[keyId] = state;
        }

        if (!state.Active)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a state-changing request made with the session cookie: true when its Origin (or Referer) is this service.
    /// SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
    /// </summary>
    public static bool SameOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin) && Uri.TryCreate(request.Headers.Referer, UriKind.Absolute, out var referer))
        {
            origin = referer.GetLeftPart(UriPartial.Authority);
        }

        return string.IsNullOrEmpty(origin) || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
