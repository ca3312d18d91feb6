using System.Security.Claims;
using Headsup.Service.Data;
using Microsoft.AspNetCore.Http;

namespace Headsup.Service.Security;

/// <summary>An audit entry as read back.</summary>
public sealed record AuditEntry(long Id, long At, string Actor, string? Role, string Action, string? StudyInstanceUid, string? Detail, string? Remote);

/// <summary>
/// The append-only audit trail (database triggers refuse updates and deletes): who (key id or token subject), when,
/// what, which study — for every read of patient data and every change.
/// </summary>
public sealed class Audit(Db db)
{
    /// <summary>Records an action by the request's user.</summary>
    public Task RecordAsync(HttpContext context, string action, string? study = null, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        return RecordAsync(Actor(user), Role(user), action, study, detail, context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted);
    }

    /// <summary>Who a principal is in the audit trail: the key id, or "oidc:" and the token's subject.</summary>
    public static string Actor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.Name is { } name ? (user.Identity.AuthenticationType == "ApiKey" ? name : "oidc:" + name) : "anonymous";
    }

    /// <summary>The principal's role claim.</summary>
    public static string? Role(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var roleType = (user.Identity as ClaimsIdentity)?.RoleClaimType ?? ClaimTypes.Role;
        return user.FindFirst(roleType)?.Value;
    }

    /// <summary>Records an action.</summary>
    public Task RecordAsync(string actor, string? role, string action, string? study, string? detail, string? remote, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("INSERT INTO audit (at, actor, role, action, study_uid, detail, remote) VALUES (@at, @actor, @role, @action, @study, @detail, @remote)",
            new { at = Db.Now(), actor, role, action, study, detail, remote }, cancellationToken);

    /// <summary>Reads entries, newest first.</summary>
    public Task<List<AuditEntry>> ReadAsync(long? before, int limit, string? study, CancellationToken cancellationToken = default) =>
        db.QueryAsync("SELECT id, at, actor, role, action, study_uid, detail, remote FROM audit WHERE (@before IS NULL OR id < @before) AND (@study IS NULL OR study_uid = @study) ORDER BY id DESC LIMIT @limit",
            r => new AuditEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), Db.Text(r, "role"), r.GetString(4), Db.Text(r, "study_uid"), Db.Text(r, "detail"), Db.Text(r, "remote")),
            new { before, limit = Math.Clamp(limit, 1, 1000), study }, cancellationToken);
}
