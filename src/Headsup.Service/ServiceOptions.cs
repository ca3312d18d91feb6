namespace Headsup.Service;

/// <summary>Which parts of the service a process runs.</summary>
public enum ServiceRole
{
    /// <summary>HTTP API and in-process workers (the embedded default).</summary>
    All,

    /// <summary>HTTP API only: intake, results, stability monitor.</summary>
    Api,

    /// <summary>Job workers only (health endpoints stay up).</summary>
    Worker,
}

/// <summary>
/// The service's configuration: `headsup serve` flags, the `Headsup` section of appsettings.json and the environment
/// variables HEADSUP_DATABASE / HEADSUP_QUEUE / HEADSUP_STORE (ASP.NET Core conventions; flags win).
/// </summary>
public sealed record ServiceOptions
{
    /// <summary>Root of the embedded mode: SQLite database, file store and temporary files.</summary>
    public required string DataDir { get; init; }

    /// <summary>Which parts run in this process.</summary>
    public ServiceRole Role { get; init; } = ServiceRole.All;

    /// <summary>Database connection string; null: SQLite file headsup.db in the data dir.</summary>
    public string? Database { get; init; }

    /// <summary>Work queue URI (amqp://…); null: the in-process queue backed by the database.</summary>
    public string? Queue { get; init; }

    /// <summary>File store folder; null: store/ under the data dir.</summary>
    public string? Store { get; init; }

    /// <summary>Model package folder or zip; null: the shipped default model.</summary>
    public string? Model { get; init; }

    /// <summary>Seconds without a new instance after which a study is triaged.</summary>
    public double StableSeconds { get; init; } = 10;

    /// <summary>DICOMweb base URLs the SR and Secondary Captures are sent to (STOW-RS) after each result.</summary>
    public IReadOnlyList<string> ResultsTo { get; init; } = [];

    /// <summary>Bearer token for <see cref="ResultsTo"/>.</summary>
    public string? ResultsToToken { get; init; }

    /// <summary>Explanation method for the key-slice Secondary Captures: none, ig, xrai, xrai-fast, gradcam.</summary>
    public string Explain { get; init; } = "gradcam";

    /// <summary>
    /// The second pass: after a result is committed (with <see cref="Explain"/>'s fast overlays), the worker explains
    /// the key slices again with this method while it has no job to run, for the study page (none turns it off; the
    /// same method as <see cref="Explain"/> also does). A study that arrives stops the pass; it resumes later.
    /// </summary>
    public string OverlayExplain { get; init; } = "xrai";

    /// <summary>Worker threads running jobs in this process (each loads the model once).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Attempts before a job is poisoned (failed for good).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>How long a claimed job stays with its worker without a heartbeat before another may take it.</summary>
    public double JobLeaseSeconds { get; init; } = 60;

    /// <summary>Largest request body accepted (STOW, upload).</summary>
    public long MaxRequestBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest single DICOM part or zip entry.</summary>
    public long MaxPartBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Most parts (or zip entries) one request may carry; the rest are refused (0xA700).</summary>
    public int MaxPartsPerRequest { get; init; } = 5000;

    /// <summary>Most instances one study may hold.</summary>
    public int MaxInstancesPerStudy { get; init; } = 5000;

    /// <summary>Total uncompressed bytes a zip upload may expand to.</summary>
    public long MaxZipExpandedBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Free disk space below which intake answers 507 and ready is false.</summary>
    public long MinFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Requests per minute per client (key or address); 0 disables rate limiting.</summary>
    public int RateLimitPerMinute { get; init; } = 6000;

    /// <summary>Hours a browser session lasts without use (sliding).</summary>
    public double SessionHours { get; init; } = 12;

    /// <summary>Origins allowed by CORS; empty: CORS off.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Webhook targets called after each result.</summary>
    public IReadOnlyList<WebhookTarget> Webhooks { get; init; } = [];

    /// <summary>OIDC authority (issuer URL) for bearer tokens; null: API keys only.</summary>
    public string? OidcAuthority { get; init; }

    /// <summary>OIDC audience expected in tokens.</summary>
    public string? OidcAudience { get; init; }

    /// <summary>The token claim holding the roles (ingest, reader, admin).</summary>
    public string OidcRoleClaim { get; init; } = "roles";

    /// <summary>Require https for the authority's metadata (turn off only for a loopback test issuer).</summary>
    public bool OidcRequireHttpsMetadata { get; init; } = true;

    /// <summary>
    /// The service's client id at the OIDC provider, for signing in to the pages by redirect (authorization code flow
    /// with PKCE; redirect URI &lt;service&gt;/api/session/oidc/callback). Null: the pages take API keys or pasted access tokens.
    /// </summary>
    public string? OidcClientId { get; init; }

    /// <summary>The client secret, when the provider registers the service as a confidential client.</summary>
    public string? OidcClientSecret { get; init; }

    /// <summary>Scopes asked for at sign-in (space-separated).</summary>
    public string OidcScopes { get; init; } = "openid profile";

    /// <summary>Database file of the embedded mode.</summary>
    public string SqlitePath => Path.Combine(DataDir, "headsup.db");

    /// <summary>The effective store folder.</summary>
    public string StoreDir => Store ?? Path.Combine(DataDir, "store");

    /// <summary>The effective connection string.</summary>
    public string ConnectionString => Database ?? $"Data Source={SqlitePath}";
}

/// <summary>A webhook target: URL and the HMAC-SHA256 secret its events are signed with.</summary>
public sealed record WebhookTarget(string Url, string Secret);
