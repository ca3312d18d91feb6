using Headsup.Inputs;
using System.Text.Json;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Explain;
using Headsup.Testing;
using Xunit;

namespace Headsup.Triage.Tests;

[Collection("triage")]
public class StudyTriagerTests(TriageFixture fixture)
{
    private static readonly TriageOptions GradCam = new() { Explain = ExplainMethod.GradCam, KeySlices = 2 };

    [Fact]
    public void Every_study_and_slice_is_scored_and_written()
    {
        using var output = TestData.CreateTempFolder();
        var results = fixture.Triager.Run(fixture.DicomRoot, output.Path, GradCam);
        Assert.Equal(fixture.Summary.Studies.Count, results.Studies.Count);
        Assert.False(results.Partial);
        foreach (var study in results.Studies)
        {
            var truth = fixture.Summary.Studies.Single(s => s.StudyInstanceUid == study.StudyInstanceUid);
            Assert.Equal(truth.SeriesInstanceUid, study.SeriesInstanceUid);
            Assert.Equal(truth.Files.Count, study.Slices.Count);
            Assert.All(study.Slices, s => Assert.InRange(s.Probability, 0, 1));
            Assert.True(study.Slices.Zip(study.Slices.Skip(1)).All(p => p.First.Z < p.Second.Z), "slices in series order");
            Assert.InRange(study.Probability!.Value, 0, 1);
            Assert.Equal(study.Probability >= study.Threshold, study.Positive);
            Assert.Equal(2, study.KeySlices.Count);
            Assert.True(study.KeySlices[0].Probability >= study.KeySlices[1].Probability);
            Assert.All(study.KeySlices, k => Assert.True(study.Slices[k.Index].InStudyScore));
            Assert.Equal(5, study.Subtypes.Count);
            Assert.Equal(2, study.Outputs.Overlays.Count);
            Assert.Equal(2, study.Outputs.Heatmaps.Count);
            Assert.Equal(2, study.Outputs.SecondaryCaptures.Count);
            Assert.NotNull(study.Outputs.Panel);
            Assert.NotNull(study.Outputs.StructuredReport);
            foreach (var file in study.Outputs.Heatmaps.Concat(study.Outputs.Overlays).Concat(study.Outputs.SecondaryCaptures).Append(study.Outputs.Panel!).Append(study.Outputs.StructuredReport!))
            {
                Assert.True(File.Exists(Path.Combine(output.Path, file)), file);
            }

            var npy = NpyFile.Read(Path.Combine(output.Path, study.Outputs.Heatmaps[0]));
            var heat = npy.AsFloats();
            Assert.Equal((256, 256), (npy.Shape[0], npy.Shape[1]));
            Assert.Contains(heat, v => v != heat[0]);
        }
    }

    [Fact]
    public void Results_json_has_the_documented_fields()
    {
        using var output = TestData.CreateTempFolder();
        fixture.Triager.Run(fixture.DicomRoot, output.Path, TriageOptions.Default with { WriteDicom = false });
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, StudyTriager.ResultsFile)));
        var root = json.RootElement;
        Assert.True(root.GetProperty("not_for_clinical_use").GetBoolean());
        Assert.Equal("triage-test", root.GetProperty("model").GetProperty("name").GetString());
        var study = root.GetProperty("studies")[0];
        foreach (var name in new[] { "study_instance_uid", "series_instance_uid", "probability", "positive", "threshold", "subtypes", "key_slices", "slices", "skipped", "failed_slices", "partial" })
        {
            Assert.True(study.TryGetProperty(name, out _), name);
        }

        var slice = study.GetProperty("slices")[0];
        foreach (var name in new[] { "sop_instance_uid", "file", "instance_number", "z", "probability" })
        {
            Assert.True(slice.TryGetProperty(name, out _), name);
        }

        var reread = TriageJson.Read(Path.Combine(output.Path, StudyTriager.ResultsFile));
        Assert.Equal(root.GetProperty("studies").GetArrayLength(), reread.Studies.Count);
    }

    [SkippableFact]
    public void Sr_and_secondary_captures_pass_dciodvfy_and_reread()
    {
        var dciodvfy = ExternalTool.Require("dciodvfy");
        var dcmdump = ExternalTool.Require("dcmdump");
        using var output = TestData.CreateTempFolder();
        var results = fixture.Triager.Run(fixture.DicomRoot, output.Path, GradCam);
        var study = results.Studies[0];
        var source = DicomFileReader.Open(study.Slices[0].File);
        foreach (var file in study.Outputs.SecondaryCaptures.Append(study.Outputs.StructuredReport!))
        {
            var path = Path.Combine(output.Path, file);
            var (_, stdout, stderr) = ExternalTool.Run(dciodvfy, [path]);
            var errors = (stdout + stderr).Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"{file}: {string.Join('\n', errors)}");
            var dump = ExternalTool.Run(dcmdump, [path]);
            Assert.True(dump.ExitCode == 0, dump.Stderr);
            var written = DicomFileReader.Open(path).Dataset;
            Assert.Equal(study.StudyInstanceUid, written.GetString(DicomTags.StudyInstanceUID));
            Assert.NotEqual(study.SeriesInstanceUid, written.GetString(DicomTags.SeriesInstanceUID));
            Assert.Equal(source.Dataset.GetStringOrDefault(DicomTags.PatientID), written.GetStringOrDefault(DicomTags.PatientID));
        }
    }

    [Fact]
    public void A_corrupt_slice_is_reported_and_the_study_scored_from_the_rest()
    {
        using var input = TestData.CreateTempFolder();
        var study = fixture.Summary.Studies[0];
        foreach (var file in study.Files)
        {
            File.Copy(Path.Combine(fixture.PhantomRoot, file), Path.Combine(input.Path, Path.GetFileName(file)));
        }

        var victim = Path.Combine(input.Path, Path.GetFileName(study.Files[5]));
        var bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length - 20000)]); // header intact, pixel data cut short

        using var output = TestData.CreateTempFolder();
        var results = fixture.Triager.Run(input.Path, output.Path, TriageOptions.Default with { WriteDicom = false });
        var result = Assert.Single(results.Studies);
        Assert.True(result.Partial);
        Assert.True(results.Partial);
        var failed = Assert.Single(result.FailedSlices);
        Assert.Equal(victim, failed.File);
        Assert.Equal(study.Files.Count - 1, result.Slices.Count);
        Assert.NotNull(result.Probability);
    }

    [Fact]
    public void Mixed_studies_junk_files_and_unusable_series_are_each_reported()
    {
        using var input = TestData.CreateTempFolder();
        foreach (var s in fixture.Summary.Studies)
        {
            foreach (var f in s.Files)
            {
                File.Copy(Path.Combine(fixture.PhantomRoot, f), Path.Combine(input.Path, s.PatientId + "-" + Path.GetFileName(f)));
            }
        }

        File.WriteAllText(Path.Combine(input.Path, "notes.txt"), "not DICOM");
        var mr = DicomFileReader.Open(Path.Combine(fixture.PhantomRoot, fixture.Summary.Studies[0].Files[0])).Dataset;
        mr.AddString(DicomTags.Modality, "MR");
        mr.AddString(DicomTags.StudyInstanceUID, DicomUid.Generate());
        mr.AddString(DicomTags.SeriesInstanceUID, DicomUid.Generate());
        mr.AddString(DicomTags.SOPInstanceUID, DicomUid.Generate());
        DicomFileWriter.Save(Path.Combine(input.Path, "mr.dcm"), mr, TransferSyntax.ExplicitVRLittleEndian);

        using var output = TestData.CreateTempFolder();
        var results = fixture.Triager.Run(input.Path, output.Path, TriageOptions.Default with { WriteDicom = false });
        Assert.Equal(3, results.Studies.Count);
        Assert.Equal(2, results.Studies.Count(s => s.Probability is not null));
        var unusable = Assert.Single(results.Studies, s => s.Probability is null);
        Assert.StartsWith("no usable series", unusable.Error, StringComparison.Ordinal);
        Assert.NotEmpty(unusable.Skipped);
        Assert.Contains(results.Failures, f => f.Source.EndsWith("notes.txt", StringComparison.Ordinal));
        Assert.True(results.Partial);
    }

    [Fact]
    public void An_empty_folder_gives_no_studies_and_a_results_file()
    {
        using var input = TestData.CreateTempFolder();
        using var output = TestData.CreateTempFolder();
        var results = fixture.Triager.Run(input.Path, output.Path);
        Assert.Empty(results.Studies);
        Assert.True(File.Exists(Path.Combine(output.Path, StudyTriager.ResultsFile)));
    }

    [Fact]
    public void Explaining_a_slice_gives_a_heatmap_at_slice_size_restricted_to_the_brain()
    {
        var file = Path.Combine(fixture.PhantomRoot, fixture.Summary.Studies[0].Files[7]);
        var image = SliceImageLoader.Load(file);
        var (heatmap, region, explanation) = fixture.Triager.ExplainSlice(image, null, null, ExplainMethod.GradCam, ExplainOptions.Default);
        Assert.Equal(image.Width * image.Height, heatmap.Length);
        Assert.Contains(region, v => v != 0);
        float outsideMax = Enumerable.Range(0, heatmap.Length).Where(i => region[i] == 0).Select(i => heatmap[i]).DefaultIfEmpty(float.MinValue).Max();
        float insideMax = Enumerable.Range(0, heatmap.Length).Where(i => region[i] != 0).Select(i => heatmap[i]).Max();
        Assert.True(insideMax >= outsideMax);
        Assert.Equal(64, explanation.Size);
    }
}
