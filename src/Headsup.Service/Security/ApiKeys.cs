using System.Security.Cryptography;
using System.Text;
using Headsup.Service.Data;

namespace Headsup.Service.Security;

/// <summary>The roles a key or token may hold.</summary>
public static class Roles
{
    /// <summary>May only send instances (STOW, upload).</summary>
    public const string Ingest = "ingest";

    /// <summary>May read results, instances and the worklist.</summary>
    public const string Reader = "reader";

    /// <summary>Manages keys and reads the audit log; may do everything.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// May see the worklist, results and images but never a patient identifier (PatientID, name, birth date,
    /// accession) nor whole DICOM files: e.g. a wall display or a technologist's screen.
    /// </summary>
    public const string Viewer = "viewer";

    /// <summary>Every role.</summary>
    public static readonly IReadOnlyList<string> All = [Ingest, Reader, Admin, Viewer];

    /// <summary>Whether <paramref name="user"/> may see patient identifiers (reader or admin).</summary>
    public static bool SeesIdentifiers(System.Security.Claims.ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(Reader) || user.IsInRole(Admin);
    }
}

/// <summary>A stored key (never the key itself: its SHA-256).</summary>
public sealed record ApiKeyInfo(string Id, string Role, string? Label, long Created, long? Revoked);

/// <summary>
/// API keys: 32 random bytes shown once ("hu_" + base64url), stored as SHA-256 hashes with a role; revoked keys stop
/// working at once (each request looks its key up; the lookup is an indexed read).
/// </summary>
public sealed class ApiKeys(Db db)
{
    /// <summary>Prefix of every key (tells keys from OIDC tokens).</summary>
    public const string Prefix = "hu_";

    /// <summary>Creates a key with <paramref name="role"/>; returns its id and the key (shown once).</summary>
    /// <exception cref="ArgumentException">Unknown role.</exception>
    public async Task<(string Id, string Key)> CreateAsync(string role, string? label, CancellationToken cancellationToken = default)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ArgumentException($"role must be one of {string.Join(", ", Roles.All)} (got '{role}')", nameof(role));
        }

        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var id = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await db.ExecuteAsync("INSERT INTO api_keys (id, hash, role, label, created) VALUES (@id, @hash, @role, @label, @now)",
            new { id, hash = Hash(key), role, label, now = Db.Now() }, cancellationToken).ConfigureAwait(false);
        return (id, key);
    }

    /// <summary>The key's id and role; null when unknown or revoked.</summary>
    public async Task<(string Id, string Role)?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        var rows = await db.QueryAsync("SELECT id, role FROM api_keys WHERE hash = @hash AND revoked IS NULL", r => (r.GetString(0), r.GetString(1)),
            new { hash = Hash(key) }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Whether the key with this id exists and is not revoked.</summary>
    public async Task<bool> IsActiveAsync(string id, CancellationToken cancellationToken = default) =>
        (await db.QueryAsync("SELECT 1 FROM api_keys WHERE id = @id AND revoked IS NULL", r => 1, new { id }, cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>Revokes a key by id; false when there is no such active key.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE api_keys SET revoked = @now WHERE id = @id AND revoked IS NULL", new { id, now = Db.Now() }, cancellationToken).ConfigureAwait(false) > 0;

    /// <summary>Every key (without secrets).</summary>
    public Task<List<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        db.QueryAsync("SELECT id, role, label, created, revoked FROM api_keys ORDER BY created",
            r => new ApiKeyInfo(r.GetString(0), r.GetString(1), Db.Text(r, "label"), r.GetInt64(3), Db.Long(r, "revoked")), cancellationToken: cancellationToken);

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
