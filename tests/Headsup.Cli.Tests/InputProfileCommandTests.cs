using System.Globalization;
using System.Text.Json.Nodes;
using Headsup.Imaging.Export;
using Headsup.Testing;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>
/// `headsup input-profile` and detect's out-of-distribution report: a package profiled on the phantom studies it is then
/// run on finds them in distribution (acquisition checks pass, few slices beyond the training q99); profiled on display
/// images only, the same DICOM studies are reported as unlike the training data, with the reason in results.json.
/// </summary>
public sealed class InputProfileCommandTests(CalibrateStudyCommandTests.Fixture fixture) : IClassFixture<CalibrateStudyCommandTests.Fixture>
{
    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    [Fact]
    public void InputProfile_SameDataInDistribution_DisplayOnlyProfileWarns()
    {
        using var output = TestData.CreateTempFolder();
        var profiled = Path.Combine(output.Path, "profiled");
        var (exit, stdout, stderr) = Headsup("input-profile", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--out", profiled);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("input profile: 60 training slices of calibrate-study-test", stdout, StringComparison.Ordinal);
        var profile = JsonNode.Parse(File.ReadAllText(Path.Combine(profiled, "input-profile.json")))!;
        Assert.Equal("headsup.input-profile/1", (string?)profile["schema"]);
        Assert.Equal(60, (int)profile["slices"]!);
        Assert.Equal(6, (int)profile["dicom"]!["series"]!);
        var q = profile["embedding"]!["distance_quantiles"]!;
        Assert.True((double)q["q50"]! <= (double)q["q99"]!);

        var results = Path.Combine(output.Path, "in");
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Positives, "dicom"), "--model", profiled, "--explain", "none", "--out", results);
        Assert.True(exit == 0, stdout + stderr);
        foreach (var s in JsonNode.Parse(File.ReadAllText(Path.Combine(results, "results.json")))!["studies"]!.AsArray())
        {
            var ood = s!["out_of_distribution"]!;
            Assert.False((bool)ood["warning"]!, ood.ToJsonString());
            Assert.InRange((double)ood["score"]!, 0, 0.5);
            Assert.All(ood["checks"]!.AsArray(), c => Assert.True((bool)c!["ok"]!, c.ToJsonString()));
            Assert.Contains(ood["checks"]!.AsArray(), c => (string?)c!["check"] == "slice thickness");
        }

        // Profiled on display images only: every DICOM study is reported as unlike the training data.
        using var data = TestData.CreateTempFolder();
        var random = new Random(5);
        var csv = new System.Text.StringBuilder("image,hemorrhage\n");
        for (int i = 0; i < 8; i++)
        {
            var pixels = new byte[96 * 96];
            random.NextBytes(pixels);
            using (var stream = File.Create(Path.Combine(data.Path, $"{i}.png")))
            {
                PngWriter.Write(stream, pixels, 96, 96, 1);
            }

            csv.Append(CultureInfo.InvariantCulture, $"{i}.png,{i % 2}\n");
        }

        File.WriteAllText(Path.Combine(data.Path, "labels.csv"), csv.ToString());
        var displayOnly = Path.Combine(output.Path, "display-only");
        (exit, stdout, stderr) = Headsup("input-profile", "--data", Path.Combine(data.Path, "labels.csv"), "--model", fixture.Model, "--out", displayOnly);
        Assert.True(exit == 0, stdout + stderr);
        var unlike = Path.Combine(output.Path, "unlike");
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Positives, "dicom"), "--model", displayOnly, "--explain", "none", "--out", unlike);
        Assert.True(exit == 0, stdout + stderr);
        foreach (var s in JsonNode.Parse(File.ReadAllText(Path.Combine(unlike, "results.json")))!["studies"]!.AsArray())
        {
            var ood = s!["out_of_distribution"]!;
            Assert.True((bool)ood["warning"]!);
            Assert.StartsWith("this scanner or format was not in the model's training data:", (string?)ood["message"], StringComparison.Ordinal);
            Assert.Contains("none: trained on display images only", (string?)ood["message"], StringComparison.Ordinal);
        }

        Assert.Contains("warning: study ", stdout, StringComparison.Ordinal);

        // A package without a profile says it did not check.
        var plain = Path.Combine(output.Path, "plain");
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Positives, "dicom"), "--model", fixture.Model, "--explain", "none", "--out", plain);
        Assert.True(exit == 0, stdout + stderr);
        var first = JsonNode.Parse(File.ReadAllText(Path.Combine(plain, "results.json")))!["studies"]![0]!["out_of_distribution"]!;
        Assert.Null(first["score"]);
        Assert.StartsWith("not checked: the model package has no input profile", (string?)first["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void InputProfile_OutNotEmpty_ExitsTwo()
    {
        using var output = TestData.CreateTempFolder();
        File.WriteAllText(Path.Combine(output.Path, "keep.txt"), "mine");
        var (exit, _, stderr) = Headsup("input-profile", "--data", fixture.Positives, "--model", fixture.Model, "--out", output.Path);
        Assert.Equal(2, exit);
        Assert.Contains("--out must be a new, empty folder", stderr, StringComparison.Ordinal);
    }
}
