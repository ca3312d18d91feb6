using System.IO.Compression;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>
/// `headsup deidentify`: the output layout and report, key handling (generated 0600 key reused, --key-file repeatable),
/// bad inputs in a batch (named, the rest written, exit 1, never an unhandled exception), and no original identifier in
/// anything the command prints or writes beside the DICOM files.
/// </summary>
public sealed class DeidentifyCommandTests : IClassFixture<CliPhantomFixture>
{
    private readonly CliPhantomFixture _phantom;

    public DeidentifyCommandTests(CliPhantomFixture phantom) => _phantom = phantom;

    [Fact]
    public void Deidentify_FolderWithCorruptFiles_WritesLayoutNamesBadFilesAndExitsOne()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Directory.CreateDirectory(Path.Combine(temp.Path, "in")).FullName;
        var good = PhantomFiles();
        foreach (var f in good)
        {
            File.Copy(f, Path.Combine(input, Path.GetFileName(f)));
        }

        File.WriteAllText(Path.Combine(input, "notes.txt"), "not dicom");
        var corrupt = CorruptDicomGenerator.WriteCorpus(good.Take(1), Path.Combine(input, "corrupt"), seed: 3);
        var output = Path.Combine(temp.Path, "out");

        var (exit, stdout, stderr) = Headsup("deidentify", input, "--out", output);

        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        AssertNoCrash(stderr);
        Assert.Contains("failed: notes.txt: not a DICOM file", stderr, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "deidentification.json")));
        var counts = report.RootElement.GetProperty("counts");
        int written = counts.GetProperty("written").GetInt32();
        int failed = counts.GetProperty("failed").GetInt32();
        Assert.Equal(good.Count + corrupt.Count + 1, counts.GetProperty("inputs_scanned").GetInt32());
        Assert.Equal(good.Count + corrupt.Count + 1, written + failed + counts.GetProperty("skipped").GetInt32());
        Assert.InRange(written, good.Count, good.Count + corrupt.Count);
        foreach (var name in report.RootElement.GetProperty("failed").EnumerateArray().Select(f => f.GetProperty("file").GetString()!))
        {
            Assert.Contains($"failed: {name}: ", stderr, StringComparison.Ordinal);
        }

        var files = Directory.GetFiles(output, "*.dcm", SearchOption.AllDirectories);
        Assert.Equal(written, files.Length);
        foreach (var file in files)
        {
            var ds = DicomFileReader.Open(file).Dataset;
            var relative = Path.GetRelativePath(output, file).Split(Path.DirectorySeparatorChar);
            Assert.Equal([ds.GetString(DicomTags.StudyInstanceUID), ds.GetString(DicomTags.SeriesInstanceUID), ds.GetString(DicomTags.SOPInstanceUID) + ".dcm"], relative);
            Assert.Equal("YES", ds.GetString(DicomTags.PatientIdentityRemoved));
        }

        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
        AssertNoOriginalIdentifier(stdout + stderr + File.ReadAllText(Path.Combine(output, "deidentification.json")), good);
    }

    [Fact]
    public void Deidentify_NoKeyGiven_GeneratesOwnerOnlyKeyAndReusesItNextRun()
    {
        using var temp = TestData.CreateTempFolder();
        var output = Path.Combine(temp.Path, "out");

        var (exit, stdout, stderr) = Headsup("deidentify", _phantom.DicomFolder, "--out", output);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var keyPath = Path.Combine(output, "deid.key");
        Assert.Contains("generated a new key in " + keyPath, stdout, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var first = Layout(output);
        Assert.Equal(PhantomFiles().Count, first.Count);

        var (again, stdout2, stderr2) = Headsup("deidentify", _phantom.DicomFolder, "--out", output);
        Assert.True(again == 0, stderr2);
        Assert.Contains("using the key in " + keyPath, stdout2, StringComparison.Ordinal);
        Assert.Equal(first, Layout(output));
        AssertNoOriginalIdentifier(stdout + stderr + stdout2 + stderr2, PhantomFiles());
    }

    [Fact]
    public void Deidentify_SameKeyFileTwice_SameIdentifiersDifferentKeyOthers()
    {
        using var temp = TestData.CreateTempFolder();
        var keyA = Path.Combine(temp.Path, "a.key");
        File.WriteAllText(keyA, "a site secret that is long enough\n");
        var keyB = Path.Combine(temp.Path, "b.key");
        File.WriteAllText(keyB, "another site secret, also long enough\n");

        Assert.Equal(0, Headsup("deidentify", _phantom.DicomFolder, "--out", Path.Combine(temp.Path, "1"), "--key-file", keyA).ExitCode);
        Assert.Equal(0, Headsup("deidentify", _phantom.DicomFolder, "--out", Path.Combine(temp.Path, "2"), "--key-file", keyA).ExitCode);
        Assert.Equal(0, Headsup("deidentify", _phantom.DicomFolder, "--out", Path.Combine(temp.Path, "3"), "--key-file", keyB, "--shift-dates").ExitCode);

        Assert.Equal(Layout(Path.Combine(temp.Path, "1")), Layout(Path.Combine(temp.Path, "2")));
        Assert.Empty(Layout(Path.Combine(temp.Path, "1")).Intersect(Layout(Path.Combine(temp.Path, "3"))));
        Assert.False(File.Exists(Path.Combine(temp.Path, "1", "deid.key")));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "3", "deidentification.json")));
        Assert.True(report.RootElement.GetProperty("options").GetProperty("shift_dates").GetBoolean());
    }

    [Fact]
    public async Task Deidentify_KeyInEnvironment_SameMappingAsTheSameKeyInAFile()
    {
        using var temp = TestData.CreateTempFolder();
        var keyFile = WriteKey(temp.Path);
        var fromFile = Path.Combine(temp.Path, "file");
        var fromEnvironment = Path.Combine(temp.Path, "env");
        Assert.Equal(0, Headsup("deidentify", _phantom.DicomFolder, "--out", fromFile, "--key-file", keyFile).ExitCode);

        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "headsup.dll"), "deidentify", _phantom.DicomFolder, "--out", fromEnvironment })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["HEADSUP_DEID_KEY"] = File.ReadAllText(keyFile);
        using var process = System.Diagnostics.Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stdout + await stderr);

        Assert.Equal(Layout(fromFile), Layout(fromEnvironment));
        Assert.False(File.Exists(Path.Combine(fromEnvironment, "deid.key")));
    }

    [Fact]
    public void Deidentify_Zip_ReadsEntriesAndWritesLayout()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = Path.Combine(temp.Path, "study.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var f in PhantomFiles().Take(3))
            {
                archive.CreateEntryFromFile(f, "series/" + Path.GetFileName(f));
            }
        }

        var output = Path.Combine(temp.Path, "out");
        var (exit, stdout, stderr) = Headsup("deidentify", zip, "--out", output, "--key-file", WriteKey(temp.Path));

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Equal(3, Layout(output).Count);
        Assert.Contains("3 written", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Deidentify_SingleCorruptFile_ExitsOneNamingIt()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "cut.dcm");
        File.WriteAllBytes(path, File.ReadAllBytes(PhantomFiles()[0])[..700]);

        var (exit, stdout, stderr) = Headsup("deidentify", path, "--out", Path.Combine(temp.Path, "out"), "--key-file", WriteKey(temp.Path));

        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        AssertNoCrash(stderr);
        Assert.Contains("failed: cut.dcm: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deidentify_BadCommandLineOrInputs_DocumentedExitCodes()
    {
        using var temp = TestData.CreateTempFolder();
        var shortKey = Path.Combine(temp.Path, "short.key");
        File.WriteAllText(shortKey, "abc");

        Assert.Equal(2, Headsup("deidentify", _phantom.DicomFolder).ExitCode);
        Assert.Equal(2, Headsup("deidentify", _phantom.DicomFolder, "--out", Path.Combine(_phantom.DicomFolder, "out")).ExitCode);
        var missing = Headsup("deidentify", Path.Combine(temp.Path, "nothing-here"), "--out", Path.Combine(temp.Path, "o1"));
        Assert.Equal(3, missing.ExitCode);
        AssertNoCrash(missing.Stderr);
        var badKey = Headsup("deidentify", _phantom.DicomFolder, "--out", Path.Combine(temp.Path, "o2"), "--key-file", shortKey);
        Assert.Equal(3, badKey.ExitCode);
        Assert.Contains("short.key", badKey.Stderr, StringComparison.Ordinal);
        var empty = Directory.CreateDirectory(Path.Combine(temp.Path, "empty")).FullName;
        File.WriteAllText(Path.Combine(empty, "a.txt"), "x");
        var noDicom = Headsup("deidentify", empty, "--out", Path.Combine(temp.Path, "o3"), "--key-file", WriteKey(temp.Path));
        Assert.Equal(3, noDicom.ExitCode);
        Assert.Contains("a.txt", noDicom.Stderr, StringComparison.Ordinal);
        AssertNoCrash(noDicom.Stderr);
    }

    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    private List<string> PhantomFiles() => Directory.GetFiles(_phantom.DicomFolder).Order(StringComparer.Ordinal).ToList();

    private static string WriteKey(string folder)
    {
        var path = Path.Combine(folder, "site.key");
        File.WriteAllText(path, "a fixed test key for the cli tests\n");
        return path;
    }

    /// <summary>The output files as "study/series/sop.dcm" paths.</summary>
    private static HashSet<string> Layout(string output) =>
        Directory.GetFiles(output, "*.dcm", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f)).ToHashSet(StringComparer.Ordinal);

    private static void AssertNoCrash(string stderr)
    {
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    /// <summary>No Patient ID, Patient's Name or original UID of the inputs appears in <paramref name="text"/>.</summary>
    private static void AssertNoOriginalIdentifier(string text, IEnumerable<string> inputs)
    {
        foreach (var input in inputs)
        {
            var ds = DicomFileReader.Open(input).Dataset;
            foreach (var tag in new[] { DicomTags.PatientID, DicomTags.PatientName, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.SOPInstanceUID, DicomTags.AccessionNumber })
            {
                if (ds.TryGetString(tag, out var value))
                {
                    Assert.False(text.Contains(value, StringComparison.Ordinal), $"{DicomDictionary.Keyword(tag)} \"{value}\" appears in the output");
                }
            }
        }
    }
}
