using System.CommandLine;
using System.Globalization;
using Headsup.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup serve [--data-dir] [--urls] [--role] [--database] [--queue] [--store] [--stable-seconds] [--results-to]...`:
/// the triage service (see docs/service.md), and `headsup serve keys create|list|revoke`. Options come from the flags,
/// then HEADSUP_DATABASE / HEADSUP_QUEUE / HEADSUP_STORE, then the "Headsup" section of appsettings.json (next to the
/// program, or HEADSUP_CONFIG) and Headsup__* environment variables.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var dataDir = DataDir();
        var urls = new Option<string?>("--urls") { Description = "Where to listen, as ASP.NET Core reads it (e.g. http://127.0.0.1:8042; https needs Kestrel certificate settings)" };
        var role = new Option<string>("--role") { Description = "api, worker or all (default)", DefaultValueFactory = _ => "all" };
        role.AcceptOnlyFromAmong("api", "worker", "all");
        var database = Database();
        var queue = new Option<string?>("--queue") { Description = "Work queue URI (default: in-process, backed by the database); env HEADSUP_QUEUE" };
        var store = new Option<string?>("--store") { Description = "File store folder shared by all processes (default: <data-dir>/store); env HEADSUP_STORE" };
        var stable = new Option<double?>("--stable-seconds") { Description = "Seconds without a new instance before a study is triaged (default 10)" };
        var resultsTo = new Option<string[]>("--results-to") { Description = "DICOMweb base URL the SR and Secondary Captures are sent to (repeatable)", AllowMultipleArgumentsPerToken = false };
        var resultsToken = new Option<string?>("--results-to-token") { Description = "Bearer token for --results-to" };
        var model = SharedOptions.Model();
        var explain = new Option<string?>("--explain") { Description = "Explanation in the Secondary Captures: none, ig, xrai, xrai-fast, gradcam (default gradcam)" };
        var overlayExplain = new Option<string?>("--overlay-explain") { Description = "Second pass after each result: key-slice overlays for the study page with this method while the worker is idle: none, ig, xrai, xrai-fast, gradcam (default xrai)" };
        var workers = new Option<int?>("--workers") { Description = "Jobs run at once in this process (default 1; each uses all cores)" };
        var command = new Command("serve", "The triage service: DICOMweb intake, durable jobs, results API (docs/service.md). NOT FOR CLINICAL USE.")
        {
            dataDir, urls, role, database, queue, store, stable, resultsTo, resultsToken, model, explain, overlayExplain, workers,
        };
        command.Subcommands.Add(KeysCommand());
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = Options(parse.GetValue(dataDir), parse.GetValue(database), new Dictionary<string, string?>
            {
                ["Role"] = parse.GetValue(role) switch { "api" => nameof(ServiceRole.Api), "worker" => nameof(ServiceRole.Worker), _ => nameof(ServiceRole.All) },
                ["Queue"] = parse.GetValue(queue) ?? Environment.GetEnvironmentVariable("HEADSUP_QUEUE"),
                ["Store"] = parse.GetValue(store) ?? Environment.GetEnvironmentVariable("HEADSUP_STORE"),
                ["StableSeconds"] = parse.GetValue(stable)?.ToString(CultureInfo.InvariantCulture),
                ["ResultsToToken"] = parse.GetValue(resultsToken),
                ["Model"] = parse.GetValue(model),
                ["Explain"] = parse.GetValue(explain),
                ["OverlayExplain"] = parse.GetValue(overlayExplain),
                ["Workers"] = parse.GetValue(workers)?.ToString(CultureInfo.InvariantCulture),
            }, parse.GetValue(resultsTo));
            if (options.StableSeconds is < 0 or > 86400)
            {
                throw new UsageException("--stable-seconds must be between 0 and 86400");
            }

            ModelHolderCheck(options);
            await using var app = await ServiceHost.BuildAsync(options, parse.GetValue(urls), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"HEADS UP service ({options.Role.ToString().ToLowerInvariant()}) — data {Path.GetFullPath(options.DataDir)} — NOT FOR CLINICAL USE");
            await app.RunAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command KeysCommand()
    {
        var keys = new Command("keys", "API keys: create, list, revoke");
        var dataDir = DataDir();
        var database = Database();
        var keyRole = new Option<string>("--role") { Description = "ingest (send only), reader (results, images, patient identifiers, feedback), viewer (worklist and images without patient identifiers), admin (keys, audit, everything)", Required = true };
        keyRole.AcceptOnlyFromAmong("ingest", "reader", "viewer", "admin");
        var label = new Option<string?>("--label") { Description = "What the key is for (shown in lists)" };
        var create = new Command("create", "Creates a key; prints it alone on the last line (it is shown once)") { dataDir, database, keyRole, label };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var options = Options(parse.GetValue(dataDir), parse.GetValue(database), new Dictionary<string, string?>(), null);
            var (id, key) = await ServiceHost.CreateKeyAsync(options, parse.GetValue(keyRole)!, parse.GetValue(label), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"created {id} ({parse.GetValue(keyRole)}); the key is shown once:");
            Console.WriteLine(key);
            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(create);

        var listData = DataDir();
        var listDatabase = Database();
        var list = new Command("list", "Lists the keys (ids, roles, labels, dates; never the keys)") { listData, listDatabase };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var options = Options(parse.GetValue(listData), parse.GetValue(listDatabase), new Dictionary<string, string?>(), null);
            foreach (var k in await ServiceHost.ListKeysAsync(options, cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{k.Id}  {k.Role,-7} created {DateTimeOffset.FromUnixTimeMilliseconds(k.Created):yyyy-MM-dd HH:mm}Z  {(k.Revoked is { } r ? $"REVOKED {DateTimeOffset.FromUnixTimeMilliseconds(r):yyyy-MM-dd HH:mm}Z" : "active")}  {k.Label}"));
            }

            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(list);

        var revokeData = DataDir();
        var revokeDatabase = Database();
        var id = new Argument<string>("id") { Description = "The key's id (key_…), as `keys list` shows it" };
        var revoke = new Command("revoke", "Revokes a key at once") { id, revokeData, revokeDatabase };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var options = Options(parse.GetValue(revokeData), parse.GetValue(revokeDatabase), new Dictionary<string, string?>(), null);
            if (!await ServiceHost.RevokeKeyAsync(options, parse.GetValue(id)!, cancellationToken).ConfigureAwait(false))
            {
                throw new UsageException($"no active key with id '{parse.GetValue(id)}' (see `headsup serve keys list`)");
            }

            Console.WriteLine($"revoked {parse.GetValue(id)}");
            return ExitCodes.Ok;
        });
        keys.Subcommands.Add(revoke);
        return keys;
    }

    internal static Option<string?> DataDir() => new("--data-dir") { Description = "Folder of the embedded mode: SQLite database, store (default: ./headsup-data)" };

    internal static Option<string?> Database() => new("--database") { Description = "Database connection string (default: SQLite in the data dir); env HEADSUP_DATABASE" };

    private static void ModelHolderCheck(ServiceOptions options)
    {
        if (options.Role != ServiceRole.Api)
        {
            _ = Headsup.Service.Jobs.ModelHolder.Locate(options.Model);
            _ = Headsup.Service.Jobs.ModelHolder.ParseExplain(options.Explain);
            _ = Headsup.Service.Jobs.ModelHolder.ParseExplain(options.OverlayExplain, "--overlay-explain");
        }
    }

    internal static ServiceOptions Options(string? dataDir, string? database, Dictionary<string, string?> flags, string[]? resultsTo)
    {
        flags["DataDir"] = dataDir;
        flags["Database"] = database ?? Environment.GetEnvironmentVariable("HEADSUP_DATABASE");
        var overrides = flags.Where(f => f.Value is not null).ToDictionary(f => "Headsup:" + f.Key, f => f.Value);
        var merged = new ConfigurationBuilder()
            .AddJsonFile(Environment.GetEnvironmentVariable("HEADSUP_CONFIG") ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build()
            .GetSection("Headsup");
        var options = new ServiceOptions { DataDir = merged["DataDir"] ?? "headsup-data" };
        try
        {
            merged.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException("configuration: " + ex.Message);
        }

        if (resultsTo is { Length: > 0 })
        {
            options = options with { ResultsTo = resultsTo };
        }

        foreach (var url in options.ResultsTo)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--results-to '{url}' is not an http(s) URL");
            }
        }

        return options;
    }
}
