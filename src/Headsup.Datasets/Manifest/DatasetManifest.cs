using Headsup.Inputs;
using Headsup.Core.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headsup.Dicom.Writing;

namespace Headsup.Datasets;

/// <summary>Progress of hashing files for a manifest.</summary>
/// <param name="Done">Files hashed so far.</param>
/// <param name="Total">Files to hash.</param>
public readonly record struct ManifestProgress(int Done, int Total);

/// <summary>One file of a manifest.</summary>
public sealed record ManifestEntry
{
    /// <summary>Path relative to the manifest's folder when the file lies under it, else absolute ('/' separators). In memory after <see cref="DatasetManifest.Load"/> it is absolute.</summary>
    public required string File { get; init; }

    /// <summary>SHA-256 of the file, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>"dicom", "png" or "jpeg".</summary>
    public required string Format { get; init; }

    /// <summary>Any hemorrhage, 0 or 1.</summary>
    public required int Any { get; init; }

    /// <summary>The five subtype labels (null = unknown), RSNA order.</summary>
    public required IReadOnlyList<int?> Subtypes { get; init; }

    /// <summary>Patient id.</summary>
    public required string PatientId { get; init; }

    /// <summary>Study id.</summary>
    public string? StudyId { get; init; }

    /// <summary>Series id.</summary>
    public string? SeriesId { get; init; }

    /// <summary>Source name.</summary>
    public required string Source { get; init; }

    /// <summary>"train", "validation", "test" or null.</summary>
    public string? Split { get; init; }

    /// <summary>SOP Instance UID (DICOM).</summary>
    public string? SopInstanceUid { get; init; }

    /// <summary>Slice position (mm) along the normal (DICOM).</summary>
    public double? Z { get; init; }

    /// <summary>Instance Number (DICOM).</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Lesion mask PNG (same path rules as <see cref="File"/>).</summary>
    public string? MaskFile { get; init; }
}

/// <summary>
/// A reproducible description of a training set: every file with its SHA-256, labels, patient and split, the seed used,
/// and a <see cref="ContentHash"/> over the sorted (file hash, labels, split) lines so a run can be repeated exactly.
/// Stored as snake_case JSON.
/// </summary>
public sealed class DatasetManifest
{
    /// <summary>The newest format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Format version of the file.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>When the manifest was created (UTC).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>The sources the samples came from.</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];

    /// <summary>Seed used for sampling/splitting, when any.</summary>
    public int? Seed { get; init; }

    /// <summary>The files.</summary>
    [JsonInclude]
    public IReadOnlyList<ManifestEntry> Entries { get; private set; } = [];

    /// <summary>SHA-256 over the sorted lines "sha256,any,s1..s5,split" of the entries (see <see cref="ComputeContentHash"/>).</summary>
    public string ContentHash { get; init; } = string.Empty;

    /// <summary>The folder relative paths are resolved against (set by <see cref="Load"/> and <see cref="Save"/>).</summary>
    [JsonIgnore]
    public string? BaseDirectory { get; private set; }

    /// <summary>
    /// Hashes the samples' files (in parallel, at most <paramref name="maxParallelism"/> at a time) and builds the manifest.
    /// <paramref name="splits"/> maps <see cref="LabeledSample.File"/> to a split name; without an entry the sample's own
    /// <see cref="LabeledSample.Split"/> is used.
    /// </summary>
    /// <exception cref="DatasetException">A file is missing or unreadable, or a split name is not train/validation/test.</exception>
    public static DatasetManifest Create(
        IEnumerable<LabeledSample> samples,
        IReadOnlyDictionary<string, string>? splits = null,
        int? seed = null,
        IProgress<ManifestProgress>? progress = null,
        int maxParallelism = 4,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var list = samples.ToArray();
        var hashes = new string[list.Length];
        int done = 0;
        try
        {
            Parallel.For(0, list.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism), CancellationToken = cancellationToken }, i =>
            {
                hashes[i] = HashFile(list[i].File);
                int n = Interlocked.Increment(ref done);
                progress?.Report(new ManifestProgress(n, list.Length));
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<DatasetException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }

        var entries = new ManifestEntry[list.Length];
        for (int i = 0; i < list.Length; i++)
        {
            var s = list[i];
            string? split = splits is not null && splits.TryGetValue(s.File, out var given) ? given : s.Split;
            if (split is not null && !SplitNames.IsValid(split))
            {
                throw new DatasetException(s.File, $"split '{split}' is not train, validation or test");
            }

            entries[i] = new ManifestEntry
            {
                File = Path.GetFullPath(s.File),
                Sha256 = hashes[i],
                Format = FormatName(s.Format),
                Any = s.Any,
                Subtypes = s.Subtypes.ToArray(),
                PatientId = s.PatientId,
                StudyId = s.StudyId,
                SeriesId = s.SeriesId,
                Source = s.Source,
                Split = split,
                SopInstanceUid = s.SopInstanceUid,
                Z = s.Z,
                InstanceNumber = s.InstanceNumber,
                MaskFile = s.MaskFile,
            };
        }

        return new DatasetManifest
        {
            Created = DateTimeOffset.UtcNow,
            Origins = list.Select(s => s.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            Seed = seed,
            ContentHash = ComputeContentHash(entries),
        }.WithEntries(entries);
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    /// <exception cref="DatasetException">The file is missing or unreadable.</exception>
    public static string HashFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, "cannot be hashed: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// The content hash: SHA-256 (hex) of the entries' lines "sha256,any,s1,s2,s3,s4,s5,split" (unknown = empty), sorted
    /// ordinally and joined with '\n'. File paths and ids do not enter, so moving the data keeps the hash.
    /// </summary>
    public static string ComputeContentHash(IEnumerable<ManifestEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var lines = entries.Select(e => string.Join(',', [e.Sha256, e.Any.ToString(CultureInfo.InvariantCulture), .. e.Subtypes.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? ""), e.Split ?? ""]))
            .Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    /// <summary>
    /// Writes the manifest atomically (temporary file, then rename). File paths are written relative to the manifest's
    /// folder — or to <paramref name="relativeTo"/> when the file will be moved there (a model package written under a
    /// temporary name) — so a manifest names no machine-specific absolute path and resolves again after a move of the
    /// whole tree.
    /// </summary>
    public void Save(string path, string? relativeTo = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var folder = relativeTo is null ? Path.GetDirectoryName(full)! : Path.GetFullPath(relativeTo);
        var copy = new DatasetManifest
        {
            FormatVersion = FormatVersion,
            Created = Created,
            Origins = Origins,
            Seed = Seed,
            ContentHash = ContentHash,
        }.WithEntries(Entries.Select(e => e with
        {
            File = RelativeTo(folder, Absolute(e.File)),
            MaskFile = e.MaskFile is null ? null : RelativeTo(folder, Absolute(e.MaskFile)),
        }).ToArray());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(copy, s_json);
        AtomicFile.Write(full, s => s.Write(bytes));
        Entries = Entries.Select(e => e with { File = Absolute(e.File), MaskFile = e.MaskFile is null ? null : Absolute(e.MaskFile) }).ToArray();
        BaseDirectory = folder;
    }

    /// <summary>Reads a manifest; relative paths are resolved against its folder.</summary>
    /// <exception cref="ManifestVersionException">The manifest was written by a newer format version.</exception>
    /// <exception cref="DatasetException">The file is missing, not a manifest, or its content hash does not match its entries.</exception>
    public static DatasetManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        DatasetManifest? manifest;
        try
        {
            var bytes = File.ReadAllBytes(full);
            using (var document = JsonDocument.Parse(bytes))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object ||
                    !document.RootElement.TryGetProperty("format_version", out var v) || !v.TryGetInt32(out var version))
                {
                    throw new DatasetException(full, "not a dataset manifest (no format_version)");
                }

                if (version > CurrentFormatVersion)
                {
                    throw new ManifestVersionException(full, version, CurrentFormatVersion);
                }
            }

            manifest = JsonSerializer.Deserialize<DatasetManifest>(bytes, s_json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new DatasetException(full, "cannot read the manifest: " + ex.Message, ex);
        }

        if (manifest is null)
        {
            throw new DatasetException(full, "the manifest is empty");
        }

        var folder = Path.GetDirectoryName(full)!;
        foreach (var e in manifest.Entries)
        {
            if (e is null || e.File is null || e.Sha256 is null || e.Subtypes is null || e.Subtypes.Count != HemorrhageLabels.Subtypes.Count || e.Any is not (0 or 1))
            {
                throw new DatasetException(full, "an entry lacks file, sha256, any or the five subtypes");
            }
        }

        var hash = ComputeContentHash(manifest.Entries);
        if (!string.Equals(hash, manifest.ContentHash, StringComparison.OrdinalIgnoreCase))
        {
            throw new DatasetException(full, $"content hash {manifest.ContentHash} does not match the entries ({hash}): the manifest was edited");
        }

        manifest.Entries = manifest.Entries.Select(e => e with
        {
            File = Path.GetFullPath(Path.Combine(folder, e.File)),
            MaskFile = e.MaskFile is null ? null : Path.GetFullPath(Path.Combine(folder, e.MaskFile)),
        }).ToArray();
        manifest.BaseDirectory = folder;
        return manifest;
    }

    /// <summary>Checks every file exists and still has its hash; returns the problems (empty when all is well).</summary>
    public IReadOnlyList<DatasetProblem> Verify(int maxParallelism = 4, CancellationToken cancellationToken = default)
    {
        var problems = new DatasetProblem?[Entries.Count];
        Parallel.For(0, Entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism), CancellationToken = cancellationToken }, i =>
        {
            var e = Entries[i];
            var file = Absolute(e.File);
            if (!System.IO.File.Exists(file))
            {
                problems[i] = new DatasetProblem(file, "missing");
                return;
            }

            try
            {
                var hash = HashFile(file);
                if (!string.Equals(hash, e.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    problems[i] = new DatasetProblem(file, $"hash {hash} differs from the manifest's {e.Sha256}");
                }
            }
            catch (DatasetException ex)
            {
                problems[i] = new DatasetProblem(file, ex.Message);
            }
        });
        return problems.OfType<DatasetProblem>().ToArray();
    }

    /// <summary>The entries as samples (with <see cref="LabeledSample.Sha256"/> and <see cref="LabeledSample.Split"/>), optionally only one split.</summary>
    public IReadOnlyList<LabeledSample> ToSamples(string? split = null) =>
        Entries.Where(e => split is null || e.Split == split).Select(e =>
        {
            var file = Absolute(e.File);
            return new LabeledSample
            {
                File = file,
                RelativeFile = BaseDirectory is null ? e.File : RelativeTo(BaseDirectory, file),
                Format = ParseFormat(e.Format),
                Any = e.Any,
                Subtypes = e.Subtypes.ToArray(),
                PatientId = e.PatientId,
                StudyId = e.StudyId,
                SeriesId = e.SeriesId,
                Source = e.Source,
                Sha256 = e.Sha256,
                Split = e.Split,
                SopInstanceUid = e.SopInstanceUid,
                Z = e.Z,
                InstanceNumber = e.InstanceNumber,
                MaskFile = e.MaskFile is null ? null : Absolute(e.MaskFile),
            };
        }).ToArray();

    /// <summary>The manifest as a <see cref="Dataset"/>.</summary>
    public Dataset ToDataset(string origin) => new(ToSamples(), [], 0, origin);

    /// <summary>"dicom", "png" or "jpeg".</summary>
    public static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Dicom => "dicom",
        ImageFormat.Png => "png",
        ImageFormat.Jpeg => "jpeg",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format"),
    };

    /// <summary>Parses "dicom", "png", "jpeg" (or "jpg").</summary>
    /// <exception cref="DatasetException">Unknown name.</exception>
    public static ImageFormat ParseFormat(string name) => name?.ToLowerInvariant() switch
    {
        "dicom" or "dcm" => ImageFormat.Dicom,
        "png" => ImageFormat.Png,
        "jpeg" or "jpg" => ImageFormat.Jpeg,
        _ => throw new DatasetException($"format '{name}' is not dicom, png or jpeg"),
    };

    private DatasetManifest WithEntries(IReadOnlyList<ManifestEntry> entries)
    {
        Entries = entries;
        return this;
    }

    private string Absolute(string file) => Path.IsPathRooted(file) || BaseDirectory is null ? Path.GetFullPath(file) : Path.GetFullPath(Path.Combine(BaseDirectory, file));

    private static string RelativeTo(string folder, string file)
    {
        var relative = Path.GetRelativePath(folder, file);
        return Path.IsPathRooted(relative) ? file : relative.Replace('\\', '/');
    }
}
