using System.IO.Compression;
using System.Text.Json;
using Headsup.Deidentification.Batch;
using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Batch;

/// <summary>A batch writes the layout, goes on past bad inputs, and its report names no original identifier.</summary>
public sealed class DeidentificationBatchTests : IClassFixture<SmallPhantomFixture>
{
    private readonly SmallPhantomFixture _phantom;

    public DeidentificationBatchTests(SmallPhantomFixture phantom) => _phantom = phantom;

    [Fact]
    public void Run_MixedBatch_WritesGoodFilesReportsBadOnesAndNeverOverwrites()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, other) = TestDeidentifiers.ThreeSlices();
        var files = new List<string>
        {
            PhiCtBuilder.Write(Path.Combine(temp.Path, "a.dcm"), first),
            PhiCtBuilder.Write(Path.Combine(temp.Path, "b.dcm"), second),
            PhiCtBuilder.Write(Path.Combine(temp.Path, "c.dcm"), other),
        };
        var truncated = Path.Combine(temp.Path, "truncated.dcm");
        File.WriteAllBytes(truncated, File.ReadAllBytes(files[0])[..600]);
        var text = Path.Combine(temp.Path, "notes.txt");
        File.WriteAllText(text, "not DICOM at all");
        var duplicate = Path.Combine(temp.Path, "a-copy.dcm");
        File.Copy(files[0], duplicate);
        var output = Path.Combine(temp.Path, "out");
        var inputs = files.Concat([truncated, text, duplicate]).Concat(_phantom.Files).Select(Input).ToList();
        var progress = new List<DeidentificationProgress>();
        var deidentifier = TestDeidentifiers.Create();

        var summary = new DeidentificationBatch(deidentifier, output).Run(inputs, new Headsup.Core.Progress.SyncProgress<DeidentificationProgress>(progress.Add));

        Assert.Equal(3 + _phantom.Files.Count, summary.Written.Count);
        Assert.Equal(["truncated.dcm", "notes.txt"], summary.Failed.Select(f => f.Name));
        Assert.All(summary.Failed, f => Assert.StartsWith("not readable as DICOM: ", f.Reason, StringComparison.Ordinal));
        var dup = Assert.Single(summary.Skipped);
        Assert.Equal("a-copy.dcm", dup.Name);
        Assert.Contains("a.dcm", dup.Reason, StringComparison.Ordinal);
        Assert.Equal(summary.Written.Count, Directory.GetFiles(output, "*.dcm", SearchOption.AllDirectories).Length);
        Assert.Equal(2 + 2, summary.Patients); // two PHI patients, two phantom patients
        Assert.Equal(2 + 2, summary.Studies);
        Assert.Equal(inputs.Count, progress.Count);
        Assert.Equal(new DeidentificationProgress(inputs.Count, inputs.Count, summary.Written.Count, 1, 2), progress[^1]);
    }

    [Fact]
    public void Report_AfterBatch_CountsOptionsAndNoOriginalIdentifier()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, _) = TestDeidentifiers.ThreeSlices();
        var a = PhiCtBuilder.Write(Path.Combine(temp.Path, "a.dcm"), first);
        var b = PhiCtBuilder.Write(Path.Combine(temp.Path, "b.dcm"), second with { BurnedInAnnotation = "YES" });
        var output = Path.Combine(temp.Path, "out");
        var deidentifier = TestDeidentifiers.Create(shiftDates: true);
        var summary = new DeidentificationBatch(deidentifier, output).Run([Input(a), Input(b)]);

        var report = DeidentificationReport.Create(deidentifier, summary, 3, [new DeidentificationIssue("x.txt", "not a DICOM file")], []);
        var path = DeidentificationReport.Write(output, report);

        var json = File.ReadAllText(path);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile", root.GetProperty("profile").GetString());
        Assert.True(root.GetProperty("options").GetProperty("shift_dates").GetBoolean());
        Assert.Equal(["113100", "113107"], root.GetProperty("method_codes").EnumerateArray().Select(c => c.GetProperty("code_value").GetString()));
        var counts = root.GetProperty("counts");
        Assert.Equal(3, counts.GetProperty("inputs_scanned").GetInt32());
        Assert.Equal(1, counts.GetProperty("written").GetInt32());
        Assert.Equal(1, counts.GetProperty("skipped").GetInt32());
        Assert.Equal(1, counts.GetProperty("failed").GetInt32());
        Assert.Equal("b.dcm", root.GetProperty("skipped")[0].GetProperty("file").GetString());
        Assert.Equal(deidentifier.KeyId, root.GetProperty("options").GetProperty("key_id").GetString());
        foreach (var identifier in PhiCtBuilder.IdentifyingValues(first).Concat([first.StudyUid, first.SeriesUid, first.SopUid, second.SopUid, first.StudyDate]))
        {
            Assert.DoesNotContain(identifier, json, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(System.Text.Encoding.ASCII.GetString(TestDeidentifiers.KeyA), json, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ZipEntryInputs_ReadFromTheArchiveStream()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = Path.Combine(temp.Path, "study.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in _phantom.Files.Take(2))
            {
                archive.CreateEntryFromFile(file, "series/" + Path.GetFileName(file));
            }
        }

        using var read = ZipFile.OpenRead(zip);
        var inputs = read.Entries.Select(e => new DeidentificationInput("study.zip!" + e.FullName, e.Open)).ToList();
        var summary = new DeidentificationBatch(TestDeidentifiers.Create(), Path.Combine(temp.Path, "out")).Run(inputs);

        Assert.Equal(2, summary.Written.Count);
        Assert.Equal(1, summary.Series);
    }

    private static DeidentificationInput Input(string path) => new(Path.GetFileName(path), () => File.OpenRead(path));
}
