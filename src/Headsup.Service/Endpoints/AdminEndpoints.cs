using Headsup.Service.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Headsup.Service.Endpoints;

/// <summary>Key management and the audit log (admin only).</summary>
public static class AdminEndpoints
{
    /// <summary>A key creation request.</summary>
    public sealed record CreateKey(string Role, string? Label);

    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policies.Admin);
        admin.MapGet("/keys", async (ApiKeys keys, HttpContext c) => Results.Json(await keys.ListAsync(c.RequestAborted).ConfigureAwait(false)))
            .WithSummary("Every API key (ids, roles, dates; never the keys)");
        admin.MapPost("/keys", async (CreateKey body, ApiKeys keys, Audit audit, HttpContext c) =>
        {
            if (body is null || !Roles.All.Contains(body.Role))
            {
                return Problems.Result(400, "Bad Request", $"role must be one of {string.Join(", ", Roles.All)}");
            }

            var (id, key) = await keys.CreateAsync(body.Role, body.Label, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "key-create", null, $"{id} role {body.Role}").ConfigureAwait(false);
            return Results.Json(new { id, role = body.Role, key }, statusCode: 201);
        }).WithSummary("Creates a key (the key is shown once)");
        admin.MapDelete("/keys/{id}", async (string id, ApiKeys keys, Audit audit, HttpContext c) =>
        {
            if (!await keys.RevokeAsync(id, c.RequestAborted).ConfigureAwait(false))
            {
                return Problems.Result(404, "Not Found", "no active key with this id");
            }

            await audit.RecordAsync(c, "key-revoke", null, id).ConfigureAwait(false);
            return Results.NoContent();
        }).WithSummary("Revokes a key at once");
        admin.MapGet("/audit", async (HttpContext c, Audit audit) =>
        {
            long? before = long.TryParse(c.Request.Query["before"], out var b) ? b : null;
            int limit = int.TryParse(c.Request.Query["limit"], out var l) ? l : 100;
            string? study = c.Request.Query["study"];
            var entries = await audit.ReadAsync(before, limit, string.IsNullOrEmpty(study) ? null : study, c.RequestAborted).ConfigureAwait(false);
            await audit.RecordAsync(c, "read-audit", study, null).ConfigureAwait(false);
            return Results.Json(entries);
        }).WithSummary("The audit log, newest first (append-only)");
    }
}
