using Headsup.Inputs;
using Headsup.Core.IO;
using System.IO.Compression;
using System.Text.Json;
using Headsup.Models.Networks;

namespace Headsup.Models.Packaging;

/// <summary>
/// A model package: a folder (or a .zip of one) holding model.json (<see cref="ModelManifest"/>), weights.bin
/// (<see cref="WeightsFile"/>) and, when trained here, training-manifest.json (the exact training data). Loading checks
/// the format version and the weights' sha256; saving writes a complete folder under a temporary name and renames it,
/// so a crash never leaves a partial package that looks complete.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestFile = "model.json";

    /// <summary>The training data manifest a package trained here carries (paths relative to the package folder).</summary>
    public const string TrainingManifestFile = "training-manifest.json";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    private ModelPackage(string location, ModelManifest manifest, InputSpec inputSpec, ClassifierNetwork network, InputProfile? inputProfile)
    {
        Location = location;
        Manifest = manifest;
        InputSpec = inputSpec;
        Network = network;
        InputProfile = inputProfile;
    }

    /// <summary>The training inputs' profile (<see cref="Packaging.InputProfile.FileName"/>), when the package has one: detect's out-of-distribution checks use it.</summary>
    public InputProfile? InputProfile { get; }

    /// <summary>What the network takes: the manifest's recipe and size, parsed and checked against its channels at load.</summary>
    public InputSpec InputSpec { get; }

    /// <summary>Folder or zip the package was loaded from.</summary>
    public string Location { get; }

    /// <summary>The manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The network with the package's weights, in eval mode.</summary>
    public ClassifierNetwork Network { get; }

    /// <summary>How the package's scores average over transformed inputs (model.json <c>test_time_augmentation</c>, checked at load).</summary>
    public TestTimeAugmentation TestTimeAugmentation => Manifest.ScoringAugmentation;

    /// <summary>Reads only model.json of a package folder or zip.</summary>
    public static ModelManifest ReadManifest(string location)
    {
        if (Directory.Exists(location))
        {
            var path = Path.Combine(location, ManifestFile);
            if (!File.Exists(path))
            {
                throw new ModelException(location, $"not a model package: {ManifestFile} is missing");
            }

            return ParseManifest(path, File.ReadAllText(path));
        }

        if (File.Exists(location) && location.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = ZipFile.OpenRead(location);
            var entry = zip.GetEntry(ManifestFile) ?? throw new ModelException(location, $"not a model package: {ManifestFile} is missing in the zip");
            using var reader = new StreamReader(entry.Open());
            return ParseManifest(location, reader.ReadToEnd());
        }

        throw new ModelException(location, "no model package here (expected a folder with model.json or a .zip)");
    }

    /// <summary>Loads a package folder or zip.</summary>
    public static ModelPackage Load(string location)
    {
        if (File.Exists(location) && location.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var extracted = Path.Combine(Path.GetTempPath(), "headsup-model-" + Guid.NewGuid().ToString("N"));
            try
            {
                ExtractSafely(location, extracted);
                var inner = LoadFolder(extracted, location);
                return inner;
            }
            finally
            {
                TryDelete(extracted);
            }
        }

        return LoadFolder(location, location);
    }

    /// <summary>
    /// Writes a package folder at <paramref name="directory"/>: weights (float16 unless <paramref name="precision"/>
    /// says otherwise), model.json with the weights' hash, and the extra files given (name → source path). An existing
    /// package there is replaced only once the new one is complete.
    /// </summary>
    public static ModelManifest Save(string directory, ModelManifest manifest, ClassifierNetwork network, IReadOnlyDictionary<string, string>? extraFiles = null, WeightsPrecision precision = WeightsPrecision.Float16)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(network);
        var full = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(full) ?? throw new ModelException(directory, "has no parent folder");
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, "." + Path.GetFileName(full) + ".partial-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            var sha = WeightsFile.Save(network, Path.Combine(temp, manifest.Weights.File), precision);
            var complete = manifest with
            {
                Weights = manifest.Weights with { Sha256 = sha, Dtype = precision switch { WeightsPrecision.Float32 => "float32", WeightsPrecision.Float16 => "float16", _ => "int8-blocks" }, Parameters = network.parameters().Sum(p => p.numel()) },
            };
            if (extraFiles is not null)
            {
                foreach (var (name, source) in extraFiles)
                {
                    File.Copy(source, Path.Combine(temp, name));
                }
            }

            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(complete, s_json));
            if (Directory.Exists(full))
            {
                if (!File.Exists(Path.Combine(full, ManifestFile)) && Directory.EnumerateFileSystemEntries(full).Any())
                {
                    throw new ModelException(full, "exists and is not a model package; refusing to replace it");
                }

                var old = full + ".old-" + Guid.NewGuid().ToString("N")[..8];
                Directory.Move(full, old);
                Directory.Move(temp, full);
                TryDelete(old);
            }
            else
            {
                Directory.Move(temp, full);
            }

            return complete;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Replaces model.json of a package folder, e.g. after a study-level calibration; the weights stay, and the new
    /// manifest must name the same weights (same sha256). Written atomically.
    /// </summary>
    public static void UpdateManifest(string directory, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var current = ReadManifest(directory);
        if (File.Exists(directory))
        {
            throw new ModelException(directory, "is a zip; unzip it or calibrate a package folder");
        }

        if (!string.Equals(current.Weights.Sha256, manifest.Weights.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelException(directory, "the new manifest names other weights than the package holds");
        }

        Headsup.Core.IO.AtomicFile.Write(Path.Combine(directory, ManifestFile), stream => JsonSerializer.Serialize(stream, manifest, s_json));
    }

    /// <summary>
    /// Rewrites the relative file paths of a copied training manifest (entries' <c>file</c> and <c>mask_file</c>) so they
    /// name the same files from the folder the copy will live in: a package derived into another folder (e.g.
    /// <c>calibrate-study</c> from out/ into models/) keeps a training manifest that resolves. Absolute paths, the
    /// content hash (over file hashes, labels and splits, not paths) and everything else are kept as they are.
    /// </summary>
    private static void RebaseTrainingManifest(string fromFolder, string copy, string toFolder)
    {
        if (!File.Exists(copy) || fromFolder == toFolder)
        {
            return;
        }

        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(copy));
        }
        catch (JsonException)
        {
            return; // not ours to repair: the copy keeps the source's bytes
        }

        if (root?["entries"] is not System.Text.Json.Nodes.JsonArray entries)
        {
            return;
        }

        foreach (var entry in entries.OfType<System.Text.Json.Nodes.JsonObject>())
        {
            foreach (var key in new[] { "file", "mask_file" })
            {
                if (entry[key] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var path) && !Path.IsPathRooted(path))
                {
                    var rebased = Path.GetRelativePath(toFolder, Path.GetFullPath(Path.Combine(fromFolder, path)));
                    entry[key] = Path.IsPathRooted(rebased) ? rebased : rebased.Replace('\\', '/');
                }
            }
        }

        AtomicFile.Write(copy, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))));
    }

    /// <summary>
    /// Writes a new package folder <paramref name="outDir"/> derived from the package folder <paramref name="source"/>:
    /// its files are copied to a temporary sibling folder, <paramref name="change"/> edits that copy (a new manifest, an
    /// extra file), and the folder is renamed into place only then, so an interrupted run leaves no half-written
    /// package. <paramref name="outDir"/> must not exist or be empty.
    /// </summary>
    /// <exception cref="ModelException">The source is not a package folder, or <paramref name="outDir"/> is not new and empty.</exception>
    public static void Derive(string source, string outDir, Action<string> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var from = Path.GetFullPath(source);
        var to = Path.GetFullPath(outDir);
        if (!Directory.Exists(from) || !File.Exists(Path.Combine(from, ManifestFile)))
        {
            throw new ModelException(source, "is not a package folder (model.json missing); unzip a zipped package first");
        }

        if (from == to || (Directory.Exists(to) && Directory.EnumerateFileSystemEntries(to).Any()))
        {
            throw new ModelException(outDir, "must be a new or empty folder, not the source package");
        }

        var parent = Path.GetDirectoryName(to)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(to)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var file in Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
            }

            RebaseTrainingManifest(from, Path.Combine(temp, TrainingManifestFile), to);
            change(temp);
            if (Directory.Exists(to))
            {
                Directory.Delete(to); // empty, checked above
            }

            Directory.Move(temp, to);
        }
        catch
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
                // leftovers of a failed attempt are named .<name>.tmp-...
            }

            throw;
        }
    }

    /// <summary>Zips a package folder into <paramref name="zipPath"/> (atomically).</summary>
    public static void Zip(string directory, string zipPath)
    {
        ReadManifest(directory);
        var temp = zipPath + ".partial";
        File.Delete(temp);
        ZipFile.CreateFromDirectory(directory, temp, CompressionLevel.Optimal, includeBaseDirectory: false);
        File.Move(temp, zipPath, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();

    private static ModelPackage LoadFolder(string folder, string location)
    {
        var manifest = ReadManifest(folder);
        var spec = InputSpecOf(manifest, location);
        var weights = Path.Combine(folder, manifest.Weights.File);
        if (!File.Exists(weights))
        {
            throw new ModelException(location, $"weights file {manifest.Weights.File} is missing");
        }

        var sha = WeightsFile.Sha256(weights);
        if (!string.Equals(sha, manifest.Weights.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelException(location, $"weights sha256 {sha} differs from model.json's {manifest.Weights.Sha256}: the package is damaged or was edited");
        }

        ClassifierNetwork network;
        try
        {
            network = NetworkFactory.Create(manifest.Architecture, manifest.Input.Channels, manifest.Outputs.Count, pretrained: false);
        }
        catch (ArgumentException ex)
        {
            throw new ModelException(location, $"architecture '{manifest.Architecture}' is not known to this build ({ThisBuild.Version})", ex);
        }

        try
        {
            WeightsFile.Load(network, weights);
        }
        catch
        {
            network.Dispose();
            throw;
        }

        network.eval();
        var profilePath = Path.Combine(folder, InputProfile.FileName);
        InputProfile? profile = null;
        if (File.Exists(profilePath))
        {
            try
            {
                profile = InputProfile.Read(profilePath);
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }

        return new ModelPackage(location, manifest, spec, network, profile);
    }

    /// <summary>The manifest's input, parsed once; the recipe must be known and give the network's channels.</summary>
    /// <exception cref="ModelException">Unknown recipe or mask, bad size, or a channel count that does not match the recipe.</exception>
    public static InputSpec InputSpecOf(ModelManifest manifest, string location)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        InputSpec spec;
        try
        {
            spec = new InputSpec(manifest.Input.Recipe, manifest.Input.Size);
        }
        catch (ArgumentException ex)
        {
            throw new ModelException(location, $"model.json input: {ex.Message}", ex);
        }

        spec = manifest.Input.Mask switch
        {
            null => spec,
            ModelInput.HeadMask => spec with { HeadMask = true },
            var other => throw new ModelException(location, $"model.json input: mask '{other}' is not known to this build ({ThisBuild.Version}); it knows '{ModelInput.HeadMask}' or none"),
        };

        if (!Headsup.Inputs.DisplayBone.TryParse(manifest.Input.DisplayBone, out var bone))
        {
            throw new ModelException(location, $"model.json input: display_bone '{manifest.Input.DisplayBone}' is not known to this build ({ThisBuild.Version}); it knows '{ModelInput.SkullBone}', '{ModelInput.SaturatedSkullBone}' or none");
        }

        if (bone != DisplayBoneMode.Off && !spec.Recipe.HasDisplayFallback)
        {
            throw new ModelException(location, $"model.json input: display_bone '{manifest.Input.DisplayBone}' needs a recipe that reads display images through HU windows (brain-plus), not {spec.Recipe}");
        }

        spec = spec with { DisplayBoneMode = bone };

        if (spec.Channels != manifest.Input.Channels)
        {
            throw new ModelException(location, $"recipe {spec.Recipe} gives {spec.Channels} channels but the network takes {manifest.Input.Channels}");
        }

        return spec;
    }

    private static ModelManifest ParseManifest(string location, string json)
    {
        int version;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("format", out var format) || format.GetString() != "headsup-model")
            {
                throw new ModelException(location, "model.json is not a HEADS UP model manifest");
            }

            version = doc.RootElement.TryGetProperty("format_version", out var v) ? v.GetInt32() : 0;
        }
        catch (JsonException ex)
        {
            throw new ModelException(location, "model.json is not valid JSON: " + ex.Message, ex);
        }

        if (version != ModelManifest.CurrentFormatVersion)
        {
            throw new ModelException(location, $"package format version {version}; this build ({ThisBuild.Version}) reads version {ModelManifest.CurrentFormatVersion}. Use a matching HEADS UP version or retrain.");
        }

        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json) ?? throw new ModelException(location, "model.json is empty");
        }
        catch (JsonException ex)
        {
            throw new ModelException(location, "model.json is incomplete: " + ex.Message, ex);
        }

        if (!TestTimeAugmentations.TryParse(manifest.TestTimeAugmentation, out _))
        {
            throw new ModelException(location, $"model.json test_time_augmentation '{manifest.TestTimeAugmentation}' is not known to this build ({ThisBuild.Version}); it knows '{TestTimeAugmentations.HorizontalFlipName}' or '{TestTimeAugmentations.NoneName}'");
        }

        return manifest;
    }

    private static void ExtractSafely(string zipPath, string destination)
    {
        const long maxTotal = 512L << 20;
        using var zip = ZipFile.OpenRead(zipPath);
        long total = 0;
        Directory.CreateDirectory(destination);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(entry.FullName) || entry.FullName.Contains('/', StringComparison.Ordinal))
            {
                throw new ModelException(zipPath, $"zip entry '{entry.FullName}' is not a plain file name");
            }

            total += entry.Length;
            if (total > maxTotal)
            {
                throw new ModelException(zipPath, "zip expands to more than 512 MiB; refusing");
            }

            entry.ExtractToFile(Path.Combine(destination, entry.Name));
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
