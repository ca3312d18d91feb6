using Headsup.Explain;
using Headsup.Models.Packaging;
using Headsup.Service.Data;
using Headsup.Service.Storage;
using Headsup.Triage;
using Microsoft.Extensions.Logging;

namespace Headsup.Service.Jobs;

/// <summary>
/// Loads the model package once per worker process, in the background (health says "model loading" meanwhile), and
/// hands out the job runner. The shipped default model is used when no --model is given.
/// </summary>
public sealed class ModelHolder : IDisposable
{
    private readonly Lazy<Task<TriageJobRunner>> _runner;
    private StudyTriager? _triager;

    /// <summary>Prepares (does not start) the load.</summary>
    public ModelHolder(ServiceOptions options, IFileStore store, ILogger<ModelHolder> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = new Lazy<Task<TriageJobRunner>>(() => Task.Run(() =>
        {
            var location = Locate(options.Model);
            TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount / Math.Max(1, options.Workers)));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            _triager = StudyTriager.Load(location);
            var m = _triager.Package.Manifest;
            log.LogInformation("model {Name} {Version} ({Architecture}) loaded in {Seconds:0.00} s", m.Name, m.Version, m.Architecture, clock.Elapsed.TotalSeconds);
            Description = $"{m.Name} {m.Version}";
            var triage = new TriageOptions
            {
                Explain = ParseExplain(options.Explain),
                WriteDicom = true,
                WriteImages = true,
            };
            return new TriageJobRunner(_triager, store, triage);
        }));
    }

    /// <summary>Name and version of the loaded model; null until loaded.</summary>
    public string? Description { get; private set; }

    /// <summary>Starts loading (idempotent).</summary>
    public void StartLoading() => _ = _runner.Value;

    /// <summary>Loaded and usable.</summary>
    public bool IsLoaded => _runner.IsValueCreated && _runner.Value.IsCompletedSuccessfully;

    /// <summary>Why the model could not be loaded; null when it loaded or is loading.</summary>
    public string? Failure => _runner.IsValueCreated && _runner.Value.IsFaulted ? _runner.Value.Exception!.GetBaseException().Message : null;

    /// <summary>The runner once the model is loaded.</summary>
    public Task<TriageJobRunner> RunnerAsync(CancellationToken cancellationToken) => _runner.Value.WaitAsync(cancellationToken);

    /// <summary>Resolves the model location: the given one, else the shipped default.</summary>
    /// <exception cref="ServiceConfigurationException">No model given and the default is not found.</exception>
    public static string Locate(string? model) =>
        !string.IsNullOrEmpty(model) ? model
        : DefaultModel.Find() ?? throw new ServiceConfigurationException("no --model given and the default model (models/default) was not found next to the program");

    /// <summary>Service name of an explanation method → method (null for none).</summary>
    /// <exception cref="ServiceConfigurationException">Unknown name.</exception>
    public static ExplainMethod? ParseExplain(string name, string option = "--explain") =>
        name == "none" ? null
        : StudyTriager.ParseMethodName(name) ?? throw new ServiceConfigurationException($"{option} must be none, ig, xrai, xrai-fast or gradcam (got '{name}')");

    /// <inheritdoc/>
    public void Dispose() => _triager?.Dispose();
}
