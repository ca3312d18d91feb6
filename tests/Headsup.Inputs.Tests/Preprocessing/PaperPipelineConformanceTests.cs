using Headsup.Imaging.Recipes;
using Headsup.Inputs.Preprocessing;
using Headsup.Testing;
using Xunit;

namespace Headsup.Inputs.Tests.Preprocessing;

/// <summary>
/// E2 of the real RSNA slices in ../shared/data, written by <see cref="Preprocessor"/>, is byte for byte the .npy the
/// HEADS UP paper's pydicom + numpy code gives (tools/reference/paper_preprocess_e2.py, float32 H×W×3).
/// </summary>
public sealed class PaperPipelineConformanceTests
{
    [SkippableFact]
    public void Run_E2OnRealRsnaSlices_IsByteIdenticalToThePaperPipeline()
    {
        var slices = TestData.RequireSharedData("real-ct-dev", "slices");
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        var (check, _, _) = ExternalTool.Run(python, ["-c", "import pydicom, numpy"]);
        Skip.If(check != 0, "python3-pydicom / python3-numpy are not installed (the README's test command installs them)");

        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        foreach (var file in Directory.EnumerateFiles(slices, "*.dcm", SearchOption.AllDirectories))
        {
            var target = Path.Combine(input, Path.GetRelativePath(slices, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var ours = Path.Combine(temp.Path, "ours");
        var paper = Path.Combine(temp.Path, "paper");
        var result = new Preprocessor(new PreprocessOptions(input, ours, new RecipeOptions { Kind = RecipeKind.E2 })).Run();
        var script = Path.Combine(TestData.RepoRoot, "tools", "reference", "paper_preprocess_e2.py");
        var (exit, _, stderr) = ExternalTool.Run(python, [script, input, paper], TimeSpan.FromMinutes(5));

        Assert.True(exit == 0, stderr);
        Assert.Empty(result.Failures);
        var expected = Directory.GetFiles(paper, "*.npy", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(paper, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.Length >= 30, $"expected the shared RSNA slices, found {expected.Length}");
        Assert.Equal(expected, Directory.GetFiles(ours, "*.npy", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(ours, f)).Order(StringComparer.Ordinal));
        foreach (var name in expected)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(paper, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(ours, name))), $"{name} differs from the paper pipeline");
        }
    }
}
