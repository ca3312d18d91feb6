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
/// A training checkpoint folder: the weights (float32) and AdamW state after an epoch, the best weights so far, and
/// state.json (epoch, best, history, the options that must match to resume, and the names of the three weight files).
/// The weight files are named by their epoch (weights-0003.bin, optimizer-0003.bin, best-0002.bin) and never
/// overwritten; state.json is written last, under a temporary name and renamed, and only then are the files it no
/// longer names deleted. A crash at any point of a save leaves state.json naming a complete earlier checkpoint.
/// </summary>
public sealed class Checkpoint
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
    private readonly string _directory;
    private readonly string? _parentWeightsSha256;
    private string? _bestFile;

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

    /// <summary>
    /// Saves the state after epoch <see cref="CheckpointState.Epoch"/>; the best weights are those last given to
    /// <see cref="SaveBest"/> for <see cref="CheckpointState.BestEpoch"/>.
    /// </summary>
    public void Save(nn.Module network, AdamWOptimizer optimizer, TrainingOptions options, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(_directory);
        var weights = FileName("weights", state.Epoch);
        var optimizerFile = FileName("optimizer", state.Epoch);
        var best = FileName("best", state.BestEpoch);
        WeightsFile.Save(network, Path.Combine(_directory, weights), WeightsPrecision.Float32);
        optimizer.Save(Path.Combine(_directory, optimizerFile));
        var document = new StoredState(state.Epoch, state.BestAp, state.BestEpoch, state.History.ToList(), Identity(options))
        {
            WeightsFile = weights,
            OptimizerFile = optimizerFile,
            // A checkpoint of the earlier layout, resumed, keeps its best.bin until a better epoch is saved.
            BestFile = File.Exists(Path.Combine(_directory, best)) ? best
                : _bestFile is not null && File.Exists(Path.Combine(_directory, _bestFile)) ? _bestFile : null,
        };
        AtomicFile.Write(Path.Combine(_directory, "state.json"), s => JsonSerializer.Serialize(s, document, s_json));
        _bestFile = document.BestFile;

        // Only now are the earlier epochs' files (and any left by a crash) no longer needed.
        var keep = new HashSet<string>([weights, optimizerFile, document.BestFile ?? best], StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_directory, "*.bin"))
        {
            if (!keep.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Saves the best weights so far, those of epoch <paramref name="epoch"/> (named by the next <see cref="Save"/>).</summary>
    public void SaveBest(nn.Module network, int epoch)
    {
        Directory.CreateDirectory(_directory);
        WeightsFile.Save(network, Path.Combine(_directory, FileName("best", epoch)), WeightsPrecision.Float32);
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

        // Checkpoints written before the files were named by epoch have weights.bin, optimizer.bin and best.bin.
        WeightsFile.Load(network, Path.Combine(_directory, stored.WeightsFile ?? "weights.bin"));
        optimizer.Load(Path.Combine(_directory, stored.OptimizerFile ?? "optimizer.bin"));
        _bestFile = stored.WeightsFile is null ? "best.bin" : stored.BestFile;
        return new CheckpointState(stored.Epoch, stored.BestAp, stored.BestEpoch, stored.History);
    }

    /// <summary>The best weights of the checkpoint last restored or saved (detached copies), or null.</summary>
    public Dictionary<string, Tensor>? LoadBest(nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var path = _bestFile is null ? null : Path.Combine(_directory, _bestFile);
        if (path is null || !File.Exists(path))
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

    private static string FileName(string kind, int epoch) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kind}-{epoch:D4}.bin");

    private sealed record StoredState(int Epoch, double BestAp, int BestEpoch, List<EpochRecord> History, string Identity)
    {
        public string? WeightsFile { get; init; }

        public string? OptimizerFile { get; init; }

        public string? BestFile { get; init; }
    }
}
