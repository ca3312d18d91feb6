using Headsup.Models;
using Headsup.Core.IO;
using System.Text.Json;
using Headsup.Dicom.Writing;
using Headsup.Models.Packaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>Training state after an epoch.</summary>
public sealed record CheckpointState(int Epoch, double BestAp, int BestEpoch, IReadOnlyList<EpochRecord> History);

/// <summary>
/// A training checkpoint folder: weights.bin (float32), best.bin (best weights so far), optimizer.bin (AdamW state)
/// and state.json (epoch, best, history, the options that must match to resume). Each file is written under a
/// temporary name and renamed; state.json is written last, so a crash mid-save leaves the previous checkpoint usable.
/// </summary>
public sealed class Checkpoint
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
    private readonly string _directory;
    private readonly string? _parentWeightsSha256;

    /// <summary>The checkpoint folder <paramref name="directory"/> of a run from ImageNet or random weights.</summary>
    public Checkpoint(string directory)
        : this(directory, null)
    {
    }

    /// <summary>
    /// The checkpoint folder <paramref name="directory"/> of a run that started from the weights with SHA-256
    /// <paramref name="parentWeightsSha256"/> (fine-tuning; null = ImageNet or random): part of the run's identity, so a
    /// fine-tuning run never resumes another parent's checkpoint.
    /// </summary>
    public Checkpoint(string directory, string? parentWeightsSha256)
    {
        _directory = directory;
        _parentWeightsSha256 = parentWeightsSha256;
    }

    /// <summary>True when a complete checkpoint is there.</summary>
    public bool Exists => File.Exists(Path.Combine(_directory, "state.json"));

    /// <summary>Saves the state after an epoch.</summary>
    public void Save(nn.Module network, AdamWOptimizer optimizer, TrainingOptions options, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Directory.CreateDirectory(_directory);
        WeightsFile.Save(network, Path.Combine(_directory, "weights.bin"), WeightsPrecision.Float32);
        optimizer.Save(Path.Combine(_directory, "optimizer.bin"));
        var document = new StoredState(state.Epoch, state.BestAp, state.BestEpoch, state.History.ToList(), Identity(options));
        var statePath = Path.Combine(_directory, "state.json");
        AtomicFile.Write(statePath, s => JsonSerializer.Serialize(s, document, s_json));
    }

    /// <summary>Saves the best weights so far.</summary>
    public void SaveBest(nn.Module network)
    {
        Directory.CreateDirectory(_directory);
        WeightsFile.Save(network, Path.Combine(_directory, "best.bin"), WeightsPrecision.Float32);
    }

    /// <summary>Loads weights and optimiser state; the options must describe the same run.</summary>
    public CheckpointState Restore(nn.Module network, AdamWOptimizer optimizer, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var statePath = Path.Combine(_directory, "state.json");
        StoredState stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredState>(File.ReadAllText(statePath)) ?? throw new ModelException(statePath, "empty checkpoint state");
        }
        catch (JsonException ex)
        {
            throw new ModelException(statePath, "checkpoint state is not valid JSON", ex);
        }

        var identity = Identity(options);
        if (!string.Equals(stored.Identity, identity, StringComparison.Ordinal))
        {
            throw new ModelException(_directory, $"checkpoint is of another run ({stored.Identity}); this run is {identity}. Remove it or train into another folder.");
        }

        WeightsFile.Load(network, Path.Combine(_directory, "weights.bin"));
        optimizer.Load(Path.Combine(_directory, "optimizer.bin"));
        return new CheckpointState(stored.Epoch, stored.BestAp, stored.BestEpoch, stored.History);
    }

    /// <summary>The best weights saved so far (detached copies), or null.</summary>
    public Dictionary<string, Tensor>? LoadBest(nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var path = Path.Combine(_directory, "best.bin");
        if (!File.Exists(path))
        {
            return null;
        }

        var current = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in network.state_dict())
        {
            current[name] = value.detach().clone();
        }

        WeightsFile.Load(network, path);
        var best = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, value) in network.state_dict())
            {
                best[name] = value.detach().clone();
                value.copy_(current[name]);
                current[name].Dispose();
            }
        }

        return best;
    }

    /// <summary>Deletes the checkpoint folder (after a package was written).</summary>
    public void Delete()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Identity(TrainingOptions options) =>
        $"{options.Architecture}/{options.Recipe}/{options.Size}/seed {options.Seed}/batch {options.BatchSize}" + (_parentWeightsSha256 is null ? "" : $"/from {_parentWeightsSha256}");

    private sealed record StoredState(int Epoch, double BestAp, int BestEpoch, List<EpochRecord> History, string Identity);
}
