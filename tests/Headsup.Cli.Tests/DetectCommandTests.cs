using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Testing;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>`headsup detect` and `headsup explain` end to end with the shipped default model.</summary>
public sealed class DetectCommandTests : IClassFixture<CliPhantomFixture>
{
    private readonly CliPhantomFixture _phantom;

    public DetectCommandTests(CliPhantomFixture phantom) => _phantom = phantom;

    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    private static List<string> DciodvfyErrors(string path)
    {
        var (_, stdout, stderr) = ExternalTool.Run(ExternalTool.Require("dciodvfy"), [path]);
        return (stdout + stderr).Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
    }

    [SkippableFact]
    public void Detect_Xrai_OnAPhantomStudy_WritesResultsOverlaysSrAndSc()
    {
        ExternalTool.Require("dciodvfy");
        using var output = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("detect", _phantom.DicomFolder, "--explain", "xrai", "--steps", "8", "--key-slices", "1", "--out", output.Path);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("NOT FOR CLINICAL USE", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "results.json")));
        var study = Assert.Single(json.RootElement.GetProperty("studies").EnumerateArray());
        Assert.Equal("xrai", study.GetProperty("explanation").GetString());
        var outputs = study.GetProperty("outputs");
        var files = outputs.GetProperty("overlays").EnumerateArray().Concat(outputs.GetProperty("heatmaps").EnumerateArray()).Concat(outputs.GetProperty("secondary_captures").EnumerateArray())
            .Select(e => e.GetString()!).Append(outputs.GetProperty("panel").GetString()!).Append(outputs.GetProperty("structured_report").GetString()!).ToList();
        Assert.Equal(5, files.Count);
        foreach (var file in files)
        {
            var path = Path.Combine(output.Path, file);
            Assert.True(File.Exists(path), file);
            if (file.EndsWith(".dcm", StringComparison.Ordinal))
            {
                var errors = DciodvfyErrors(path);
                Assert.True(errors.Count == 0, file + ": " + string.Join('\n', errors));
            }
        }
    }

    [SkippableFact]
    public void Detect_OnTheSharedRealStudies_ScoresAllFour()
    {
        var studies = TestData.RequireSharedData("real-ct-dev", "studies");
        using var output = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("detect", studies, "--explain", "gradcam", "--key-slices", "1", "--out", output.Path);
        Assert.True(exit == 0, stdout + stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "results.json")));
        var results = json.RootElement.GetProperty("studies").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.All(results, s => Assert.InRange(s.GetProperty("probability").GetDouble(), 0, 1));
        Assert.All(results, s => Assert.True(s.GetProperty("slices").GetArrayLength() >= 26));
        foreach (var study in results)
        {
            // RSNA's own UIDs are not valid UIDs ("ID_515961ad20"); the outputs must keep the study UID and reference the
            // slices, so dciodvfy's complaints that quote them (and its summary line) are the source's, not ours.
            bool rsna = study.GetProperty("study_instance_uid").GetString()!.StartsWith("ID_", StringComparison.Ordinal);
            var outputs = study.GetProperty("outputs");
            foreach (var file in outputs.GetProperty("secondary_captures").EnumerateArray().Select(e => e.GetString()!).Append(outputs.GetProperty("structured_report").GetString()!))
            {
                var errors = DciodvfyErrors(Path.Combine(output.Path, file))
                    .Where(l => !(rsna && (l.Contains("ID_", StringComparison.Ordinal) || l == "Error - Dicom dataset contains invalid data values for Value Representations")))
                    .ToList();
                Assert.True(errors.Count == 0, file + ": " + string.Join('\n', errors));
            }
        }
    }

    [Fact]
    public void Detect_BadInputs_GiveClearMessagesAndExitCodes()
    {
        using var empty = TestData.CreateTempFolder();
        using var output = TestData.CreateTempFolder();
        var (exit, _, stderr) = Headsup("detect", empty.Path, "--out", output.Path);
        Assert.Equal(3, exit);
        Assert.Contains("no DICOM study found", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output.Path, "results.json")));

        (exit, _, stderr) = Headsup("detect", Path.Combine(empty.Path, "missing"), "--out", output.Path);
        Assert.Equal(3, exit);
        Assert.Contains("missing", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Headsup("detect", _phantom.DicomFolder, "--model", empty.Path, "--out", output.Path);
        Assert.Equal(3, exit);
        Assert.Contains("model.json", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = Headsup("detect", _phantom.DicomFolder, "--threshold", "1.5", "--out", output.Path);
        Assert.Equal(2, exit);
        Assert.Contains("--threshold", stderr, StringComparison.Ordinal);

        (exit, _, _) = Headsup("detect", _phantom.DicomFolder, "--explain", "lime", "--out", output.Path);
        Assert.Equal(2, exit);
    }

    [SkippableFact]
    public void Explain_APngAndADicomSlice_WritesHeatmapAtSliceSizeAndOverlay()
    {
        var png = Directory.GetFiles(TestData.RequireSharedData("head-ct-dev", "images"), "*.png").Order(StringComparer.Ordinal).First();
        var dicom = Directory.GetFiles(_phantom.DicomFolder).Order(StringComparer.Ordinal).ElementAt(8);
        foreach (var (file, method) in new[] { (png, "gradcam"), (dicom, "ig") })
        {
            using var output = TestData.CreateTempFolder();
            var (exit, stdout, stderr) = Headsup("explain", file, "--method", method, "--steps", "8", "--out", output.Path);
            Assert.True(exit == 0, stdout + stderr);
            var name = Path.GetFileNameWithoutExtension(file);
            var npy = NpyFile.Read(Path.Combine(output.Path, name + ".heatmap.npy"));
            Assert.Equal("<f4", npy.Descr);
            using var image = SkiaSharpDecode(Path.Combine(output.Path, name + ".overlay.png"));
            Assert.Equal(new[] { image.Height, image.Width }, npy.Shape);
        }
    }

    [Fact]
    public void Explain_ModelRecipeMismatch_IsRefusedClearly()
    {
        using var model = TestData.CreateTempFolder();
        var shipped = Path.Combine(AppContext.BaseDirectory, "models", "default");
        foreach (var f in Directory.GetFiles(shipped))
        {
            File.Copy(f, Path.Combine(model.Path, Path.GetFileName(f)));
        }

        // A recipe whose channel count differs from the shipped network's (1-channel gray-brain or 3-channel brain-plus).
        var manifest = Path.Combine(model.Path, "model.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var input = json["input"]!;
        input["recipe"] = input["channels"]!.GetValue<int>() == 1 ? "e2" : "gray-brain";
        File.WriteAllText(manifest, json.ToJsonString());
        using var output = TestData.CreateTempFolder();
        var dicom = Directory.GetFiles(_phantom.DicomFolder).Order(StringComparer.Ordinal).ElementAt(8);
        var (exit, stdout, stderr) = Headsup("explain", dicom, "--method", "gradcam", "--model", model.Path, "--out", output.Path);
        Assert.Equal(3, exit);
        Assert.Contains("channels", stdout + stderr, StringComparison.Ordinal);
    }

    private static SkiaSharp.SKBitmap SkiaSharpDecode(string path) => SkiaSharp.SKBitmap.Decode(path) ?? throw new InvalidOperationException(path);
}
