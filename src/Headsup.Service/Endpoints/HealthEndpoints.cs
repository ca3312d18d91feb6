using Headsup.Service.Data;
using Headsup.Service.Jobs;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Headsup.Service.Endpoints;

/// <summary>/health/live (the process answers) and /health/ready (database, model, disk); no key needed.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static void Map(IEndpointRouteBuilder app, ServiceOptions options)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        health.MapGet("/live", () => Results.Json(new { status = "live" })).WithSummary("The process is up");
        health.MapGet("/ready", async (HttpContext c, Db db, IFileStore store) =>
        {
            var checks = new Dictionary<string, object?>();
            bool ready = true;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await db.ScalarAsync("SELECT 1", cancellationToken: timeout.Token).ConfigureAwait(false);
                checks["database"] = new { ok = true, backend = db.Description };
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !c.RequestAborted.IsCancellationRequested)
            {
                ready = false;
                checks["database"] = new { ok = false, error = ex.Message };
            }

            long free = store.FreeBytes();
            bool diskOk = free >= options.MinFreeBytes;
            ready &= diskOk;
            checks["disk"] = new { ok = diskOk, free_bytes = free, floor_bytes = options.MinFreeBytes };
            var queue = c.RequestServices.GetRequiredService<IJobQueue>();
            ready &= queue.Healthy;
            checks["queue"] = new { ok = queue.Healthy, backend = queue.Description };
            if (options.Role != ServiceRole.Api)
            {
                var model = c.RequestServices.GetRequiredService<ModelHolder>();
                bool loaded = model.IsLoaded;
                ready &= loaded;
                checks["model"] = new { ok = loaded, model = model.Description, error = model.Failure, state = loaded ? "loaded" : model.Failure is null ? "loading" : "failed" };
            }

            return Results.Json(new { status = ready ? "ready" : "not ready", role = options.Role.ToString().ToLowerInvariant(), checks }, statusCode: ready ? 200 : 503);
        }).WithSummary("Ready to take work: database reachable, model loaded, disk above its floor");
    }
}
