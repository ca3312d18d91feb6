using System.Threading.RateLimiting;
using Headsup.Service.Data;
using Headsup.Service.Endpoints;
using Headsup.Service.Intake;
using Headsup.Service.Jobs;
using Headsup.Service.Security;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;

namespace Headsup.Service;

/// <summary>
/// Builds and runs the service: one ASP.NET Core host whose parts depend on the role (api: intake, results, stability
/// monitor; worker: job and delivery workers; all: both, the embedded default), with the database, store and model
/// given by <see cref="ServiceOptions"/>.
/// </summary>
public static class ServiceHost
{
    /// <summary>Creates the schema and the application (not started). <paramref name="urls"/>: where Kestrel listens (null: ASP.NET Core's configuration).</summary>
    /// <exception cref="ServiceConfigurationException">A backend or setting cannot be used.</exception>
    public static async Task<WebApplication> BuildAsync(ServiceOptions options, string? urls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Queue is { Length: > 0 } queueUri && (!Uri.TryCreate(queueUri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps")))
        {
            throw new ServiceConfigurationException($"queue '{Redact(queueUri)}': expected an amqp:// or amqps:// URI (RabbitMQ), or none for the in-process queue");
        }

        bool embedded = options.Role == ServiceRole.All && Db.IsSqlite(options.ConnectionString) && string.IsNullOrEmpty(options.Queue);
        Directory.CreateDirectory(options.DataDir);
        var db = new Db(options.ConnectionString);
        await Schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        var store = new LocalFileStore(options.StoreDir, options.MinFreeBytes);
        store.SweepTemporary(embedded ? TimeSpan.Zero : TimeSpan.FromHours(1));
        if (embedded)
        {
            // Embedded mode: one process owns the database, so a job still 'running' was left by a process that died.
            await db.ExecuteAsync("UPDATE jobs SET lease_until = 0 WHERE status = 'running'", cancellationToken: cancellationToken).ConfigureAwait(false);
            await db.ExecuteAsync("UPDATE deliveries SET not_before = 0 WHERE status = 'sending'", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            k.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDir, "data-protection-keys")));
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton<IFileStore>(store);
        builder.Services.AddSingleton<JobStore>();
        var signal = new JobSignal();
        builder.Services.AddSingleton(signal);
        builder.Services.AddSingleton<IJobQueue>(sp => string.IsNullOrEmpty(options.Queue)
            ? new InProcessJobQueue(signal)
            : new RabbitJobQueue(options.Queue, options.MaxAttempts * 2, sp.GetRequiredService<ILogger<RabbitJobQueue>>()));
        builder.Services.AddSingleton<StudyQueries>();
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<Audit>();
        builder.Services.AddSingleton<InstanceIntake>();
        builder.Services.AddSingleton<RequestIntake>();
        builder.Services.AddSingleton<ModelHolder>();
        builder.Services.AddSingleton<Sessions>();
        builder.Services.AddSingleton<Feedback.FeedbackStore>();
        builder.Services.AddSingleton<Viewer.SliceImages>();
        builder.Services.AddSingleton(sp => new ServiceMetrics(() =>
        {
            try
            {
                return sp.GetRequiredService<JobStore>().DepthAsync().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return -1;
            }
        }));
        builder.Services.AddHttpClient("deliveries", c => c.Timeout = TimeSpan.FromSeconds(60));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "HEADS UP triage service";
            doc.Info.Description = "Intracranial hemorrhage triage of head CT: DICOMweb intake, results, worklist. Research software, NOT FOR CLINICAL USE. Authenticate with 'Authorization: Bearer <API key>'.";
            return Task.CompletedTask;
        }));
        // API keys ("Bearer hu_…") always; OIDC bearer tokens (JWT from the configured authority) when configured. A policy
        // scheme picks the handler by the token's form.
        var authentication = builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = "headsup";
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(Sessions.Scheme, c =>
            {
                c.Cookie.Name = Sessions.CookieName;
                c.Cookie.HttpOnly = true;
                c.Cookie.SameSite = SameSiteMode.Strict;
                c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                c.Cookie.Path = "/";
                c.ExpireTimeSpan = TimeSpan.FromHours(options.SessionHours);
                c.SlidingExpiration = true;
                c.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = context => Problems.WriteAsync(context.HttpContext, 401, "Unauthorized", "sign in first: POST /api/session with an API key, or send 'Authorization: Bearer <API key>'"),
                    OnRedirectToAccessDenied = context => Problems.WriteAsync(context.HttpContext, 403, "Forbidden", $"this session's role may not use {context.Request.Method} {context.Request.Path}"),
                    OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<Sessions>().ValidateAsync(context),
                };
            })
            .AddPolicyScheme("headsup", "API key, OIDC token or browser session", p => p.ForwardDefaultSelector = context =>
            {
                string? header = context.Request.Headers.Authorization;
                if (string.IsNullOrEmpty(header) && context.Request.Cookies.ContainsKey(Sessions.CookieName))
                {
                    return Sessions.Scheme;
                }

                bool jwt = options.OidcAuthority is not null && header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) &&
                           !header["Bearer ".Length..].TrimStart().StartsWith(ApiKeys.Prefix, StringComparison.Ordinal);
                return jwt ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthenticationHandler.SchemeName;
            });
        if (options.OidcAuthority is { Length: > 0 } authority)
        {
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, j =>
            {
                j.Authority = authority;
                j.Audience = options.OidcAudience;
                j.RequireHttpsMetadata = options.OidcRequireHttpsMetadata;
                j.MapInboundClaims = false;
                j.TokenValidationParameters.RoleClaimType = options.OidcRoleClaim;
                j.TokenValidationParameters.NameClaimType = "sub";
                j.TokenValidationParameters.ValidateAudience = options.OidcAudience is not null;
                j.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await Problems.WriteAsync(context.HttpContext, 401, "Unauthorized", "the bearer token was refused: " + (context.ErrorDescription ?? context.AuthenticateFailure?.Message ?? "missing or invalid")).ConfigureAwait(false);
                    },
                    OnForbidden = context => Problems.WriteAsync(context.HttpContext, 403, "Forbidden", $"the token's roles may not use {context.Request.Method} {context.Request.Path}"),
                };
            });
        }
        if (options.OidcAuthority is { Length: > 0 } webAuthority && options.OidcClientId is { Length: > 0 } clientId)
        {
            // Signing in to the pages by redirect: authorization code flow with PKCE; the ID token's subject and roles
            // become the session cookie's principal (the same roles as keys).
            authentication.AddOpenIdConnect(Sessions.OidcScheme, o =>
            {
                o.Authority = webAuthority;
                o.ClientId = clientId;
                o.ClientSecret = options.OidcClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.RequireHttpsMetadata = options.OidcRequireHttpsMetadata;
                o.CallbackPath = "/api/session/oidc/callback";
                o.SignInScheme = Sessions.Scheme;
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.Scope.Clear();
                foreach (var scope in options.OidcScopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    o.Scope.Add(scope);
                }

                o.TokenValidationParameters.NameClaimType = "sub";
                o.TokenValidationParameters.RoleClaimType = options.OidcRoleClaim;
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events = new OpenIdConnectEvents
                {
                    OnTokenValidated = async context =>
                    {
                        context.Principal = Sessions.OidcPrincipal(context.Principal!);
                        await context.HttpContext.RequestServices.GetRequiredService<Audit>().RecordAsync(Audit.Actor(context.Principal), Audit.Role(context.Principal), "sign-in", null, "oidc",
                            context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.HttpContext.RequestAborted).ConfigureAwait(false);
                    },
                    OnRemoteFailure = context =>
                    {
                        context.HandleResponse();
                        context.Response.Redirect("/#signin-failed");
                        return Task.CompletedTask;
                    },
                };
            });
        }

        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = 429;
            r.OnRejected = (ctx, _) => new ValueTask(Problems.WriteAsync(ctx.HttpContext, 429, "Too Many Requests", $"more than {options.RateLimitPerMinute} requests per minute from this client; retry later"));
            if (options.RateLimitPerMinute > 0)
            {
                r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                    RateLimitPartition.GetFixedWindowLimiter(
                        ctx.Request.Headers.Authorization.ToString() is { Length: > 10 } auth ? "k:" + auth.GetHashCode(StringComparison.Ordinal) : "ip:" + ctx.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RateLimitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            }
        });
        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins]).AllowAnyHeader().AllowAnyMethod()));
        }

        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServiceMetrics.MeterName).AddPrometheusExporter());
        if (options.Role != ServiceRole.Worker)
        {
            builder.Services.AddHostedService<StabilityMonitor>();
        }

        if (options.Role != ServiceRole.Api)
        {
            for (int i = 0; i < Math.Max(1, options.Workers); i++)
            {
                builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<JobWorker>(sp));
            }

            builder.Services.AddHostedService<DeliveryWorker>();
        }

        var app = builder.Build();
        try
        {
            await app.Services.GetRequiredService<IJobQueue>().StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ServiceConfigurationException($"queue {Redact(options.Queue ?? string.Empty)}: cannot connect: {ex.GetBaseException().Message}", ex);
        }

        var metrics = app.Services.GetRequiredService<ServiceMetrics>();
        app.Lifetime.ApplicationStarted.Register(metrics.Touch);
        app.UseExceptionHandler(e => e.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (error is BadHttpRequestException bad)
            {
                await Problems.WriteAsync(context, bad.StatusCode, "Bad Request", bad.Message).ConfigureAwait(false);
                return;
            }

            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Headsup.Service").LogError("unhandled error on {Method} {Path}: {Type}: {Message}", context.Request.Method, context.Request.Path, error?.GetType().Name, error?.Message);
            await Problems.WriteAsync(context, 500, "Internal Server Error", "the request failed inside the service; it has been logged").ConfigureAwait(false);
        }));
        app.UseStatusCodePages(async s =>
        {
            var r = s.HttpContext.Response;
            if (r.ContentType is null && r.StatusCode is >= 400)
            {
                await Problems.WriteAsync(s.HttpContext, r.StatusCode, r.StatusCode switch { 404 => "Not Found", 405 => "Method Not Allowed", 413 => "Content Too Large", _ => "Error" },
                    r.StatusCode switch { 404 => "no such route", 405 => "the route does not take this method", 413 => $"the request body is larger than {options.MaxRequestBytes} bytes", _ => "the request was refused" }).ConfigureAwait(false);
            }
        });
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }

        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            // A state-changing request made with the session cookie must come from this service's own page.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method) &&
                context.User.FindFirst(Sessions.SessionClaim) is not null && !Sessions.SameOrigin(context.Request))
            {
                await Problems.WriteAsync(context, 403, "Forbidden", "a request made with the session cookie must come from this service's page (Origin mismatch)").ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.UseRateLimiter();
        app.UseAuthorization();

        HealthEndpoints.Map(app, options);
        if (options.Role != ServiceRole.Worker)
        {
            DicomWebEndpoints.Map(app);
            StudyEndpoints.Map(app);
            ReaderEndpoints.Map(app);
            WebEndpoints.Map(app);
            AdminEndpoints.Map(app);
            app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Policies.Reader);
            app.MapScalarApiReference("/docs", s => s.WithTitle("HEADS UP triage service")).RequireAuthorization(Policies.Reader);
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Reader);
        }
        else
        {
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Reader);
        }

        if (options.Role != ServiceRole.Api)
        {
            app.Services.GetRequiredService<ModelHolder>().StartLoading();
        }

        return app;
    }

    /// <summary>Creates a key in the database of <paramref name="options"/> (creating the schema when new).</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(ServiceOptions options, string role, string? label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDir);
        var db = new Db(options.ConnectionString);
        await Schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        var created = await new ApiKeys(db).CreateAsync(role, label, cancellationToken).ConfigureAwait(false);
        await new Audit(db).RecordAsync("cli", Roles.Admin, "key-create", null, $"{created.Id} role {role}", "local", cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// Exports readers' feedback as a labelled data set (labels.csv + DICOM, optionally de-identified) from the database
    /// and store of <paramref name="options"/>. Audited. With de-identification and no key given, the site's key in
    /// &lt;data-dir&gt;/deid.key is used (created, mode 0600, on first use) so repeated exports map identifiers the same way.
    /// </summary>
    public static async Task<Feedback.FeedbackExportSummary> ExportFeedbackAsync(ServiceOptions options, Feedback.FeedbackExportOptions export, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(export);
        if (options.Database is null && !File.Exists(options.SqlitePath))
        {
            throw new ServiceConfigurationException($"{options.DataDir}: no HEADS UP database here (give --data-dir of a service, or --database)");
        }

        var db = new Db(options.ConnectionString);
        await Schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        if (export.Deidentify && export.Key is null)
        {
            var keyPath = Path.Combine(options.DataDir, "deid.key");
            export = export with { Key = File.Exists(keyPath) ? Headsup.Deidentification.Keys.DeidentificationKey.Load(keyPath) : Headsup.Deidentification.Keys.DeidentificationKey.Generate(keyPath) };
        }

        var store = new LocalFileStore(options.StoreDir, options.MinFreeBytes);
        var summary = await new Feedback.FeedbackExporter(db, store, new Feedback.FeedbackStore(db)).ExportAsync(export, progress, cancellationToken).ConfigureAwait(false);
        await new Audit(db).RecordAsync("cli", Roles.Admin, "export-feedback", null, $"{summary.Studies} studies, {summary.Files} files, deidentified {export.Deidentify}", "local", cancellationToken).ConfigureAwait(false);
        return summary;
    }

    /// <summary>Every key of the database of <paramref name="options"/> (no secrets).</summary>
    public static async Task<List<ApiKeyInfo>> ListKeysAsync(ServiceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var db = new Db(options.ConnectionString);
        await Schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        return await new ApiKeys(db).ListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a key; false when there is no such active key. Audited.</summary>
    public static async Task<bool> RevokeKeyAsync(ServiceOptions options, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var db = new Db(options.ConnectionString);
        await Schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        bool revoked = await new ApiKeys(db).RevokeAsync(id, cancellationToken).ConfigureAwait(false);
        if (revoked)
        {
            await new Audit(db).RecordAsync("cli", Roles.Admin, "key-revoke", null, id, "local", cancellationToken).ConfigureAwait(false);
        }

        return revoked;
    }

    private static string Redact(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}:{u.Port}" : "?";
}
