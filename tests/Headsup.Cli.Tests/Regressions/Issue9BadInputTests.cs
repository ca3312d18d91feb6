using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Testing;
using Xunit;

namespace Headsup.Cli.Tests.Regressions;

/// <summary>
/// Issue 9, "bad-input crashes": corrupted copies (seeded, <see cref="CorruptDicomGenerator"/>) of files the project
/// writes itself and, when ../shared/data is present, of public conformance files, run through `inspect` and
/// `preprocess` one file at a time and as a folder. Every run must end within <see cref="Bound"/> with a documented
/// exit code, never an unhandled exception, and name each file that failed. Also: one exit-code mapping for all
/// commands, codec availability in --version and inspect, and folders of symbolic links.
/// </summary>
public sealed class Issue9BadInputTests : IClassFixture<CliPhantomFixture>
{
    private const int Seed = 9;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly CliPhantomFixture _phantom;

    public Issue9BadInputTests(CliPhantomFixture phantom) => _phantom = phantom;

    [Fact]
    public void Inspect_CorruptCopiesOfOwnFiles_EachAloneAndAsAFolderEndsCleanly() =>
        RunCorpus("inspect", OwnBaseFiles());

    [Fact]
    public void Preprocess_CorruptCopiesOfOwnFiles_EachAloneAndAsAFolderEndsCleanly() =>
        RunCorpus("preprocess", OwnBaseFiles());

    [SkippableFact]
    public void Inspect_CorruptCopiesOfConformanceFiles_EachAloneAndAsAFolderEndsCleanly() =>
        RunCorpus("inspect", ConformanceBaseFiles());

    [SkippableFact]
    public void Preprocess_CorruptCopiesOfConformanceFiles_EachAloneAndAsAFolderEndsCleanly() =>
        RunCorpus("preprocess", ConformanceBaseFiles());

    [Fact]
    public void Inspect_SingleFileWithTruncatedPixelData_ExitsOneNamingFileAndProblem()
    {
        // The reported case: the header is complete, the Pixel Data value runs past the end of the file.
        using var temp = TestData.CreateTempFolder();
        var bytes = File.ReadAllBytes(FirstPhantomSlice());
        var path = Path.Combine(temp.Path, "cut-pixels.dcm");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 8192)]);

        var (exit, stdout, stderr) = Headsup("inspect", path);

        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.Contains("cut-pixels.dcm", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("runs past the end", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("preprocess")]
    public void Run_MissingInputPath_ExitsThreeNamingIt(string command)
    {
        using var temp = TestData.CreateTempFolder();
        var missing = Path.Combine(temp.Path, "no-such-study");
        var (exit, _, stderr) = command == "inspect"
            ? Headsup("inspect", missing)
            : Headsup("preprocess", missing, "--recipe", "e2", "--out", Path.Combine(temp.Path, "out"));

        Assert.Equal(3, exit);
        Assert.Contains("no-such-study", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("preprocess")]
    public void Run_FolderWithoutDicom_ExitsThree(string command)
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        Directory.CreateDirectory(input);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not dicom");
        var (exit, _, stderr) = command == "inspect"
            ? Headsup("inspect", input)
            : Headsup("preprocess", input, "--recipe", "e2", "--out", Path.Combine(temp.Path, "out"));

        Assert.Equal(3, exit);
        Assert.Contains("no DICOM study found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_SingleFileThatIsNotDicom_ExitsOneNamingIt()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "notes.txt");
        File.WriteAllText(path, "not dicom");

        var (exit, stdout, stderr) = Headsup("inspect", path);

        Assert.Equal(1, exit);
        Assert.Contains("notes.txt", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Preprocess_OutputFolderNotWritable_ExitsThree()
    {
        using var temp = TestData.CreateTempFolder();
        var blocker = Path.Combine(temp.Path, "a-file");
        File.WriteAllText(blocker, "a file where the output folder should go");

        var (exit, _, stderr) = Headsup("preprocess", FirstPhantomSlice(), "--recipe", "e2", "--out", Path.Combine(blocker, "out"));

        Assert.Equal(3, exit);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_ListsEveryCodecAsAvailableOrMissing()
    {
        var (exit, stdout, stderr) = Headsup("--version");

        Assert.True(exit == 0, stderr);
        foreach (var codec in new[] { "RLE", "GDCM", "OpenJPEG", "CharLS" })
        {
            Assert.Contains(stdout.Split('\n'), line => line.Contains(codec, StringComparison.Ordinal)
                && (line.Contains("available", StringComparison.Ordinal) || line.Contains("MISSING", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Inspect_JsonOfOneFile_ListsCodecsAndTheDecodedPixelData()
    {
        var (exit, stdout, stderr) = Headsup("inspect", FirstPhantomSlice(), "--json");

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var codecs = doc.RootElement.GetProperty("codecs");
        Assert.Equal(4, codecs.GetArrayLength());
        Assert.All(codecs.EnumerateArray(), c => Assert.True(c.TryGetProperty("available", out _) && c.TryGetProperty("detail", out _)));
        var pixels = doc.RootElement.GetProperty("file").GetProperty("pixel_data");
        Assert.Equal(1, pixels.GetProperty("frames").GetInt32());
        Assert.True(pixels.GetProperty("decoded").GetBoolean());
    }

    [Fact]
    public void InspectAndPreprocess_FolderOfLinksToStudyFolders_FollowTheLinks()
    {
        using var temp = TestData.CreateTempFolder();
        var links = Path.Combine(temp.Path, "links");
        Directory.CreateDirectory(links);
        Directory.CreateSymbolicLink(Path.Combine(links, "study-a"), _phantom.DicomFolder);

        var (exit, stdout, stderr) = Headsup("inspect", links, "--json");
        Assert.True(exit == 0, stdout + stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("studies").GetArrayLength());
        }

        var output = Path.Combine(temp.Path, "out");
        (exit, stdout, stderr) = Headsup("preprocess", links, "--recipe", "e1", "--size", "64", "--out", output);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(Directory.GetFiles(_phantom.DicomFolder).Length, Directory.GetFiles(Path.Combine(output, "study-a"), "*.npy").Length);
    }

    [Fact]
    public void Inspect_FolderWithLinkLoopAndDanglingLink_ReportsBothAndFinishes()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        Directory.CreateDirectory(input);
        File.Copy(FirstPhantomSlice(), Path.Combine(input, "slice.dcm"));
        Directory.CreateSymbolicLink(Path.Combine(input, "again"), input);
        Directory.CreateSymbolicLink(Path.Combine(input, "gone"), Path.Combine(temp.Path, "deleted-study"));

        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = Headsup("inspect", input, "--json");

        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}"); // the dangling link is a failed input
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("studies").GetArrayLength());
        var skipped = Assert.Single(doc.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.EndsWith("again", skipped.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains("loop", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var failure = Assert.Single(doc.RootElement.GetProperty("failures").EnumerateArray());
        Assert.Contains("dangling symbolic link", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Detect_FolderOfLinksToStudyFolders_TriagesTheStudy()
    {
        using var temp = TestData.CreateTempFolder();
        var links = Path.Combine(temp.Path, "links");
        Directory.CreateDirectory(links);
        Directory.CreateSymbolicLink(Path.Combine(links, "study-a"), _phantom.DicomFolder);
        var output = Path.Combine(temp.Path, "out");

        var (exit, stdout, stderr) = Headsup("detect", links, "--no-dicom", "--out", output);

        Skip.If(exit == 3 && stderr.Contains("model", StringComparison.OrdinalIgnoreCase), "the default model cannot be loaded here: " + stderr);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal(1, doc.RootElement.GetProperty("studies").GetArrayLength());
    }

    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    /// <summary>
    /// Runs <paramref name="command"/> on each corrupted copy alone, then on the folder of all copies plus the intact
    /// originals, and collects every broken promise into one failure message.
    /// </summary>
    private static void RunCorpus(string command, IReadOnlyList<(string Name, byte[] Bytes)> baseFiles)
    {
        using var temp = TestData.CreateTempFolder();
        var folder = Path.Combine(temp.Path, "corpus");
        Directory.CreateDirectory(folder);
        var corrupt = new List<string>();
        foreach (var (name, bytes) in baseFiles)
        {
            File.WriteAllBytes(Path.Combine(folder, name + ".dcm"), bytes);
            foreach (var copy in CorruptDicomGenerator.Generate(bytes, name, Seed))
            {
                var path = Path.Combine(folder, copy.Name);
                File.WriteAllBytes(path, copy.Bytes);
                corrupt.Add(path);
            }
        }

        var problems = new ConcurrentBag<string>();
        var failedAlone = new ConcurrentBag<string>();
        Parallel.ForEach(corrupt, new ParallelOptions { MaxDegreeOfParallelism = 2 }, path =>
        {
            var name = Path.GetFileName(path);
            var result = RunBounded(command, path, Path.Combine(temp.Path, "out-" + name), problems);
            if (result is not { } r)
            {
                return;
            }

            if (r.ExitCode is not (0 or 1))
            {
                problems.Add($"{name}: a single file must end with 0 (readable) or 1 (failed input), got {r.ExitCode}: {Tail(r.Stderr)}");
            }

            if (r.ExitCode == 1)
            {
                failedAlone.Add(name);
                if (!(r.Stdout + r.Stderr).Contains(name, StringComparison.Ordinal))
                {
                    problems.Add($"{name}: failed (exit 1) without naming the file: {Tail(r.Stdout + r.Stderr)}");
                }
            }
        });

        var all = RunBounded(command, folder, Path.Combine(temp.Path, "out-folder"), problems);
        if (all is { } folderRun)
        {
            if (folderRun.ExitCode != 1)
            {
                problems.Add($"folder: expected 1 (some inputs failed, the rest done), got {folderRun.ExitCode}: {Tail(folderRun.Stderr)}");
            }

            // preprocess reads every file whole in a folder too; inspect reads a folder's headers only (a single file is
            // read whole and decoded), so there only the copies broken in their header must be named.
            var mustBeNamed = command == "preprocess"
                ? failedAlone
                : failedAlone.Where(n => n.Contains(".trunc-header.", StringComparison.Ordinal) || n.Contains(".len-element.", StringComparison.Ordinal));
            foreach (var name in mustBeNamed.Where(n => !(folderRun.Stdout + folderRun.Stderr).Contains(n, StringComparison.Ordinal)))
            {
                problems.Add($"folder: {name} failed alone but is not named in the folder run");
            }

            if (command == "preprocess")
            {
                foreach (var (name, _) in baseFiles)
                {
                    if (!File.Exists(Path.Combine(temp.Path, "out-folder", name + ".dcm.npy")))
                    {
                        problems.Add($"folder: the intact {name}.dcm was not processed");
                    }
                }
            }
        }

        Assert.True(problems.IsEmpty, $"{problems.Count} problem(s) over {corrupt.Count} corrupted file(s) (seed {Seed}):\n" + string.Join("\n", problems.Order(StringComparer.Ordinal)));
    }

    private static (int ExitCode, string Stdout, string Stderr)? RunBounded(string command, string input, string output, ConcurrentBag<string> problems)
    {
        var name = Path.GetFileName(input);
        string[] args = command == "inspect" ? ["inspect", input] : ["preprocess", input, "--recipe", "e2", "--out", output];
        (int ExitCode, string Stdout, string Stderr) result;
        try
        {
            result = ExternalTool.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "headsup.dll"), .. args], Bound);
        }
        catch (TimeoutException)
        {
            problems.Add($"{name}: {command} did not finish within {Bound.TotalSeconds} s (hang)");
            return null;
        }

        if (result.Stderr.Contains("Unhandled exception", StringComparison.Ordinal) || result.Stderr.Contains("internal error", StringComparison.Ordinal))
        {
            problems.Add($"{name}: {command} crashed (exit {result.ExitCode}): {Tail(result.Stderr)}");
        }

        return result;
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "…" + text[^400..].Trim();

    private string FirstPhantomSlice() => Directory.GetFiles(_phantom.DicomFolder).Order(StringComparer.Ordinal).First();

    /// <summary>
    /// Files the project makes itself, so this part always runs: a phantom CT slice as written (explicit VR little
    /// endian), re-written in implicit VR little endian, and RLE Lossless encoded here.
    /// </summary>
    private IReadOnlyList<(string Name, byte[] Bytes)> OwnBaseFiles()
    {
        var original = File.ReadAllBytes(FirstPhantomSlice());
        var dataset = DicomFileReader.Parse(original, "phantom.dcm").Dataset;
        return
        [
            ("ct-explicit", original),
            ("ct-implicit", Write(dataset, TransferSyntax.ImplicitVRLittleEndian)),
            ("ct-rle", Write(RleEncoded(dataset), TransferSyntax.RleLossless)),
        ];
    }

    private static (string Name, byte[] Bytes)[] ConformanceBaseFiles()
    {
        var names = new[] { "CT2_JPLL", "CT2_J2KR", "CT2_JLSL" };
        return names.Select(n => ("wg04-" + n, File.ReadAllBytes(TestData.RequireSharedData("dicom", "WG04", n)))).ToArray();
    }

    private static byte[] Write(DicomDataset dataset, TransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, dataset, syntax);
        return stream.ToArray();
    }

    /// <summary>The data set with its 16-bit pixel data RLE encoded (PS3.5 G.3), literal runs only: simple and valid.</summary>
    private static DicomDataset RleEncoded(DicomDataset source)
    {
        Assert.True(source.TryGetElement(DicomTags.PixelData, out var pixels));
        var samples = pixels.Value.Span;
        using var frame = new MemoryStream();
        var header = new byte[64];
        header[0] = 2;
        frame.Write(header);
        for (int plane = 1; plane >= 0; plane--)
        {
            BitConverter.TryWriteBytes(header.AsSpan(4 + (4 * (1 - plane))), (uint)frame.Length);
            for (int start = 0; start < samples.Length / 2; start += 128)
            {
                int count = Math.Min(128, (samples.Length / 2) - start);
                frame.WriteByte((byte)(count - 1));
                for (int i = 0; i < count; i++)
                {
                    frame.WriteByte(samples[(2 * (start + i)) + plane]);
                }
            }
        }

        var encoded = frame.ToArray();
        header.CopyTo(encoded, 0);
        if (encoded.Length % 2 == 1)
        {
            encoded = [.. encoded, 0];
        }

        var copy = DicomFileReader.Parse(Write(source, TransferSyntax.ExplicitVRLittleEndian), "copy").Dataset;
        copy.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [], [new DicomFragment(0, encoded)]));
        return copy;
    }
}
