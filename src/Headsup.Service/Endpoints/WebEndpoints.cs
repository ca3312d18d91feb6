using System.Text.Json.Nodes;
using Headsup.Service.Security;
using Headsup.Service.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Headsup.Service.Endpoints;

/// <summary>The radiologist's pages (worklist and study at /) and the browser session (/api/session).</summary>
public static class WebEndpoints
{
    /// <summary>The page's Content-Security-Policy: everything from this service, nothing inline, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext c) => Asset(c, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/assets/{name}", (HttpContext c, string name) => Asset(c, name)).AllowAnonymous().ExcludeFromDescription();

        var session = app.MapGroup("/api/session").WithTags("Session");
        session.MapPost("/", async (HttpContext c, Sessions sessions, Audit audit) =>
        {
            var credential = await ReadCredentialAsync(c).ConfigureAwait(false);
            var result = await sessions.SignInAsync(c, credential).ConfigureAwait(false);
            if (!result.Ok)
            {
                await audit.RecordAsync("anonymous", null, "sign-in-refused", null, null, c.Connection.RemoteIpAddress?.ToString(), c.RequestAborted).ConfigureAwait(false);
                return Problems.Result(401, "Unauthorized", result.Error!);
            }

            await audit.RecordAsync(c, "sign-in").ConfigureAwait(false);
            return Results.Json(Describe(c));
        }).AllowAnonymous().DisableAntiforgery().WithSummary("Sign in: trades an API key or OIDC access token ({\"key\": …} or a form field 'key') for a session cookie");
        session.MapGet("/", (HttpContext c, ServiceOptions options) => Results.Json(c.User.Identity?.IsAuthenticated == true
                ? Describe(c)
                : new JsonObject { ["signed_in"] = false, ["oidc"] = options.OidcAuthority is not null && options.OidcClientId is not null }))
            .AllowAnonymous().WithSummary("Who is signed in: name, role, whether patient identifiers are shown ({\"signed_in\": false} when nobody is)");
        session.MapGet("/oidc", (ServiceOptions options) => options.OidcAuthority is not null && options.OidcClientId is not null
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Sessions.OidcScheme])
                : Problems.Result(404, "Not Found", "this service has no OIDC client configured (Headsup:OidcAuthority and Headsup:OidcClientId)"))
            .AllowAnonymous().WithSummary("Sign in by redirect to the OIDC provider (authorization code flow with PKCE); back at / with a session cookie");
        session.MapDelete("/", async (HttpContext c, Audit audit) =>
        {
            await audit.RecordAsync(c, "sign-out").ConfigureAwait(false);
            await c.SignOutAsync(Sessions.Scheme).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Sign out: removes the session cookie");
    }

    private static JsonObject Describe(HttpContext c)
    {
        var user = c.User;
        return new JsonObject
        {
            ["signed_in"] = true,
            ["name"] = Audit.Actor(user),
            ["role"] = Audit.Role(user),
            ["roles"] = new JsonArray(Roles.All.Where(user.IsInRole).Select(r => (JsonNode)r).ToArray()),
            ["identifiers"] = Roles.SeesIdentifiers(user),
            ["worklist"] = user.IsInRole(Roles.Viewer) || Roles.SeesIdentifiers(user),
            ["feedback"] = Roles.SeesIdentifiers(user),
            ["session"] = user.FindFirst(Sessions.SessionClaim) is not null,
            ["not_for_clinical_use"] = true,
        };
    }

    private static async Task<string?> ReadCredentialAsync(HttpContext c)
    {
        if (c.Request.HasFormContentType)
        {
            var form = await c.Request.ReadFormAsync(c.RequestAborted).ConfigureAwait(false);
            return form["key"].ToString();
        }

        if (c.Request.ContentLength is > 64 * 1024)
        {
            throw new BadHttpRequestException("the sign-in body is larger than 64 KiB");
        }

        try
        {
            var body = await JsonNode.ParseAsync(c.Request.Body, cancellationToken: c.RequestAborted).ConfigureAwait(false);
            return body?["key"]?.GetValue<string>() ?? body?["token"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new BadHttpRequestException("the sign-in body must be JSON {\"key\": \"hu_…\"} or a form with a 'key' field");
        }
    }

    private static IResult Asset(HttpContext c, string name)
    {
        if (!WebAssets.All.TryGetValue(name, out var asset))
        {
            return Problems.Result(404, "Not Found", "no such page asset");
        }

        var headers = c.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // A versioned asset (?v=<hash>, as index.html and the modules name them) never changes; the page itself is revalidated.
        headers.CacheControl = c.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = asset.ETag;
        if (c.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(304);
        }

        if (asset.Gzip is not null && c.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "gzip";
            headers.Vary = "Accept-Encoding";
            return Results.Bytes(asset.Gzip, asset.ContentType);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
