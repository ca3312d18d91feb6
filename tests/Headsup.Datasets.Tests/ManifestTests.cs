using Headsup.Inputs;
using System.Text.Json.Nodes;

namespace Headsup.Datasets.Tests;

public class ManifestTests
{
    private static List<LabeledSample> MakeFiles(string folder, int count)
    {
        var samples = new List<LabeledSample>();
        for (int i = 0; i < count; i++)
        {
            var rel = $"images/s{i}.png";
            TestImages.WriteHeadPng(Path.Combine(folder, rel), inside: (byte)(100 + i));
            samples.Add(new LabeledSample
            {
                File = Path.Combine(folder, rel),
                RelativeFile = rel,
                Format = ImageFormat.Png,
                Any = (i / 2) % 2,
                Subtypes = [null, (i / 2) % 2, null, 0, null],
                PatientId = "P" + (i / 2),
                Source = "test",
            });
        }

        return samples;
    }

    [Fact]
    public void CreateSaveLoad_RoundTripsAndVerifies()
    {
        using var folder = TestData.CreateTempFolder();
        var samples = MakeFiles(folder.Path, 6);
        var split = PatientSplitter.Split(samples, 0.34, seed: 3);
        var progress = new List<ManifestProgress>();
        var manifest = DatasetManifest.Create(samples, split.ToSplitMap(), seed: 3, new SynchronousProgress(progress));
        Assert.Equal(6, progress.Count);
        Assert.All(manifest.Entries, e => Assert.Equal(64, e.Sha256.Length));
        var path = Path.Combine(folder.Path, "manifest.json");
        manifest.Save(path);
        Assert.DoesNotContain(Directory.GetFiles(folder.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(1, (int)json["format_version"]!);
        Assert.Equal("images/s0.png", (string)json["entries"]![0]!["file"]!);
        Assert.NotNull(json["entries"]![0]!["patient_id"]);
        Assert.NotNull(json["content_hash"]);

        var loaded = DatasetManifest.Load(path);
        Assert.Equal(manifest.ContentHash, loaded.ContentHash);
        Assert.Equal(3, loaded.Seed);
        Assert.Empty(loaded.Verify());
        var back = loaded.ToSamples();
        Assert.Equal(samples.Select(s => s.File), back.Select(s => s.File));
        Assert.Equal(samples.Select(s => s.Subtypes), back.Select(s => s.Subtypes));
        Assert.All(back, s => Assert.NotNull(s.Sha256));
        Assert.Equal(split.Validation.Count, loaded.ToSamples(SplitNames.Validation).Count);

        var viaLoader = DatasetLoader.Load(path);
        Assert.Equal(6, viaLoader.Samples.Count);

        // Same content → same hash, whatever the order and time.
        var again = DatasetManifest.Create(samples.AsEnumerable().Reverse(), split.ToSplitMap(), seed: 3);
        Assert.Equal(manifest.ContentHash, again.ContentHash);
        var otherSplit = DatasetManifest.Create(samples, null, seed: 3);
        Assert.NotEqual(manifest.ContentHash, otherSplit.ContentHash);

        // Changed and missing files are reported.
        File.WriteAllBytes(samples[0].File, [1, 2, 3]);
        File.Delete(samples[1].File);
        var problems = loaded.Verify();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.File == samples[0].File && p.Message.Contains("hash", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.File == samples[1].File && p.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NewerVersion_TypedError()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "m.json");
        File.WriteAllText(path, """{"format_version": 99, "entries": []}""");
        var ex = Assert.Throws<ManifestVersionException>(() => DatasetManifest.Load(path));
        Assert.Equal(99, ex.Version);
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void Load_EditedLabels_HashMismatch()
    {
        using var folder = TestData.CreateTempFolder();
        var samples = MakeFiles(folder.Path, 2);
        var path = Path.Combine(folder.Path, "m.json");
        DatasetManifest.Create(samples).Save(path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"any\": 0", "\"any\": 1", StringComparison.Ordinal));
        var ex = Assert.Throws<DatasetException>(() => DatasetManifest.Load(path));
        Assert.Contains("content hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingFile_TypedError()
    {
        using var folder = TestData.CreateTempFolder();
        var samples = MakeFiles(folder.Path, 2);
        File.Delete(samples[1].File);
        var ex = Assert.ThrowsAny<DatasetException>(() => DatasetManifest.Create(samples));
        Assert.Equal(samples[1].File, ex.FilePath);
    }

    [Fact]
    public void Load_NotJson_TypedError()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "m.json");
        File.WriteAllText(path, "{ nope");
        Assert.Throws<DatasetException>(() => DatasetManifest.Load(path));
    }

    private sealed class SynchronousProgress(List<ManifestProgress> list) : IProgress<ManifestProgress>
    {
        public void Report(ManifestProgress value)
        {
            lock (list)
            {
                list.Add(value);
            }
        }
    }
}
