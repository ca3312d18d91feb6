using System.IO.Compression;
using System.Text.Json;
using Headsup.Testing;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>End-to-end runs of the built `headsup` tool: outputs, exit codes, bad input handling.</summary>
public sealed class HeadsupCliTests : IClassFixture<CliPhantomFixture>
{
    private readonly CliPhantomFixture _phantom;

    public HeadsupCliTests(CliPhantomFixture phantom) => _phantom = phantom;

    internal static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "headsup.dll");
        return ExternalTool.Run("dotnet", [dll, .. args], TimeSpan.FromMinutes(3));
    }

    [SkippableFact]
    public void Preprocess_PhantomE2Npy_MirrorsInputAndNumpyLoadsHwc3()
    {
        using var temp = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("preprocess", _phantom.DicomFolder, "--recipe", "e2", "--size", "128", "--out", temp.Path);
        Assert.True(exit == 0, stdout + stderr);
        var inputs = Directory.GetFiles(_phantom.DicomFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var outputs = Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(inputs.Select(n => n + ".npy"), outputs);
        var npy = NpyFile.Read(Path.Combine(temp.Path, outputs[outputs.Length / 2]!));
        Assert.Equal("<f4", npy.Descr);
        Assert.Equal(new[] { 128, 128, 3 }, npy.Shape);
        var values = npy.AsFloats();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(values, v => v is > 0.2f and < 0.8f);
    }

    [SkippableFact]
    public void Preprocess_E3Npy_IsUint8()
    {
        using var temp = TestData.CreateTempFolder();
        var file = Directory.GetFiles(_phantom.DicomFolder)[0];
        var (exit, _, stderr) = Headsup("preprocess", file, "--recipe", "e3", "--out", temp.Path);
        Assert.True(exit == 0, stderr);
        var npy = NpyFile.Read(Path.Combine(temp.Path, Path.GetFileName(file) + ".npy"));
        Assert.Equal("|u1", npy.Descr);
        Assert.Equal(new[] { 512, 512, 3 }, npy.Shape);
    }

    [SkippableFact]
    public void Preprocess_FolderWithBadFiles_ReportsThemAndProcessesTheRest()
    {
        using var input = TestData.CreateTempFolder();
        using var output = TestData.CreateTempFolder();
        var good = Directory.GetFiles(_phantom.DicomFolder).Take(3).ToArray();
        foreach (var f in good)
        {
            File.Copy(f, Path.Combine(input.Path, Path.GetFileName(f)));
        }

        File.WriteAllText(Path.Combine(input.Path, "notes.txt"), "not dicom");
        var truncated = File.ReadAllBytes(good[0])[..3000];
        File.WriteAllBytes(Path.Combine(input.Path, "truncated.dcm"), truncated);
        var (exit, stdout, stderr) = Headsup("preprocess", input.Path, "--recipe", "e1", "--out", output.Path);
        Assert.Equal(1, exit);
        Assert.Contains("notes.txt", stderr, StringComparison.Ordinal);
        Assert.Contains("truncated.dcm", stderr, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(output.Path, "*.npy").Length);
        Assert.Empty(Directory.GetFiles(output.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Contains("3 output(s)", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Preprocess_ZipWithEscapingEntry_RefusedWithNamedEntry()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = Path.Combine(temp.Path, "evil.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            archive.CreateEntryFromFile(Directory.GetFiles(_phantom.DicomFolder)[0], "../../escape.dcm");
        }

        var (exit, _, stderr) = Headsup("preprocess", zip, "--recipe", "e1", "--out", Path.Combine(temp.Path, "out"));
        Assert.NotEqual(0, exit);
        Assert.Contains("escape.dcm", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "..", "escape.dcm.npy")));
    }

    [SkippableFact]
    public void Preprocess_Zip_MirrorsEntryPaths()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = Path.Combine(temp.Path, "study.zip");
        var source = Directory.GetFiles(_phantom.DicomFolder)[0];
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            archive.CreateEntryFromFile(source, "series1/a.dcm");
        }

        var (exit, _, stderr) = Headsup("preprocess", zip, "--recipe", "hu", "--out", Path.Combine(temp.Path, "out"));
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "series1", "a.dcm.npy")));
    }

    [Theory]
    [InlineData("preprocess", "x", "--recipe", "e9", "--out", "o")]
    [InlineData("preprocess", "x")]
    [InlineData("nonsense")]
    public void Run_BadCommandLine_ExitsTwo(params string[] args)
    {
        Assert.Equal(2, Headsup(args).ExitCode);
    }

    [SkippableFact]
    public void Preprocess_PngForHu_IsUsageError()
    {
        var (exit, _, stderr) = Headsup("preprocess", _phantom.DicomFolder, "--recipe", "hu", "--format", "png", "--out", "/tmp/never");
        Assert.Equal(2, exit);
        Assert.Contains("npy", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Inspect_Json_ListsOneStudyWithSelectedSeries()
    {
        var (exit, stdout, stderr) = Headsup("inspect", _phantom.DicomFolder, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var studies = doc.RootElement.GetProperty("studies");
        Assert.Equal(1, studies.GetArrayLength());
        Assert.False(string.IsNullOrEmpty(studies[0].GetProperty("selected_series").GetString()));
    }

    [SkippableFact]
    public void Preprocess_RealCq500JpegLossless_WritesEverySlice()
    {
        var study = TestData.RequireSharedData("real-ct-dev", "studies", "cq500-CQ500-CT-427");
        using var temp = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("preprocess", study, "--recipe", "context", "--size", "64", "--out", temp.Path);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(Directory.GetFiles(study, "*.dcm").Length, Directory.GetFiles(temp.Path, "*.npy").Length);
    }
}

/// <summary>One phantom study written once for the CLI tests.</summary>
public sealed class CliPhantomFixture : IDisposable
{
    private readonly TempFolder _folder = TestData.CreateTempFolder();

    public CliPhantomFixture()
    {
        var (exit, stdout, stderr) = HeadsupCliTests.Headsup("phantom", "--out", _folder.Path, "--studies", "1", "--seed", "11", "--hemorrhage", "intraparenchymal");
        if (exit != 0)
        {
            throw new InvalidOperationException("phantom failed: " + stdout + stderr);
        }

        DicomFolder = Path.Combine(_folder.Path, "dicom");
    }

    public string DicomFolder { get; }

    public void Dispose() => _folder.Dispose();
}
