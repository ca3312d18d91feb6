using Microsoft.AspNetCore.Authorization;

namespace Headsup.Service.Security;

/// <summary>Authorization policies: which roles may use a route (admin may use every route).</summary>
public static class Policies
{
    /// <summary>Sending instances.</summary>
    public const string Ingest = "ingest";

    /// <summary>Reading results and instances.</summary>
    public const string Reader = "reader";

    /// <summary>The worklist, results and images without patient identifiers (viewer, reader, admin).</summary>
    public const string Worklist = "worklist";

    /// <summary>Keys and audit.</summary>
    public const string Admin = "admin";

    /// <summary>Registers the policies.</summary>
    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Ingest, p => p.RequireRole(Roles.Ingest, Roles.Admin));
        options.AddPolicy(Reader, p => p.RequireRole(Roles.Reader, Roles.Admin));
        options.AddPolicy(Admin, p => p.RequireRole(Roles.Admin));
        options.AddPolicy(Worklist, p => p.RequireRole(Roles.Viewer, Roles.Reader, Roles.Admin));
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
