using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Headsup.Service;

/// <summary>RFC 9457 problem details (application/problem+json) for every rejection.</summary>
public static class Problems
{
    /// <summary>Writes a problem answer.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = new Dictionary<string, object?>
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (extensions is not null)
        {
            foreach (var (k, v) in extensions)
            {
                body[k] = v;
            }
        }

        await JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A problem as an endpoint result.</summary>
    public static IResult Result(int status, string title, string detail) =>
        Results.Problem(detail: detail, title: title, statusCode: status);
}
