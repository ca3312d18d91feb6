using System.Text;
using Headsup.Inputs;
using Headsup.Phantom;
using Headsup.Phantom.Lesions;

namespace Headsup.Datasets.Tests;

/// <summary>
/// The reader-feedback export (labels.csv with study_any on every row, slice labels only where the reader gave them,
/// dicom/&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm; docs/feedback-loop.md) through <see cref="DatasetLoader"/>.
/// </summary>
public sealed class FeedbackExportLoadingTests(ITestOutputHelper output, FeedbackExportLoadingTests.Phantoms phantoms) : IClassFixture<FeedbackExportLoadingTests.Phantoms>
{
    [Fact]
    public void Load_StudyLabelsOnly_NegativeStudySlicesAreNegativesAndPositiveStudySlicesAreCountedOut()
    {
        using var folder = TestData.CreateTempFolder();
        var studies = FeedbackExport.Write(phantoms.Folders, folder.Path, sliceLabels: false);
        var negative = studies.Where(s => s.StudyAny == 0).SelectMany(s => s.Files).ToList();
        var positive = studies.Where(s => s.StudyAny == 1).SelectMany(s => s.Files).ToList();
        Assert.NotEmpty(negative);
        Assert.NotEmpty(positive);

        var dataset = DatasetLoader.Load(folder.Path);
        Assert.Empty(dataset.Problems);
        Assert.Equal(negative.Order(StringComparer.Ordinal), dataset.Samples.Select(s => s.RelativeFile).Order(StringComparer.Ordinal));
        Assert.All(dataset.Samples, s =>
        {
            Assert.Equal(0, s.Any);
            Assert.True(s.AnyKnown);
            Assert.True(s.AnyFromStudyLabel);
            Assert.Equal(0, s.StudyAny);
            Assert.All(s.Subtypes, v => Assert.Equal(0, v));
            Assert.Equal(FeedbackExport.Source, s.Source);
            Assert.Equal(ImageFormat.Dicom, s.Format);
        });
        Assert.Equal(negative.Count, dataset.NegativeFromStudyLabel);
        Assert.Equal(positive.Count, dataset.StudyLabelOnlyRows);
        Assert.Equal(positive.Count, dataset.UnknownLabels);
        Assert.Equal(positive.Count, DatasetLoader.LoadMany([folder.Path]).StudyLabelOnlyRows);

        // Kept for their study label (evaluate --level study): every row, the positive study's without a slice label.
        var studyLevel = DatasetLoader.Load(folder.Path, new DatasetLoadOptions { KeepStudyLabelledRows = true });
        Assert.Empty(studyLevel.Problems);
        Assert.Equal(negative.Count + positive.Count, studyLevel.Samples.Count);
        Assert.Equal(0, studyLevel.UnknownLabels);
        Assert.All(studyLevel.Samples.Where(s => s.StudyAny == 1), s => Assert.False(s.AnyKnown));
        Assert.Equal(studies.Select(s => s.StudyInstanceUid).Order(StringComparer.Ordinal), studyLevel.Samples.Select(s => s.StudyId).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_MixedSliceLabels_UsesThemAndInfersOnlyNegativeStudies()
    {
        using var folder = TestData.CreateTempFolder();
        var studies = FeedbackExport.Write(phantoms.Folders, folder.Path);
        var dataset = DatasetLoader.Load(Path.Combine(folder.Path, "labels.csv"));
        Assert.Empty(dataset.Problems);

        var positiveStudies = studies.Where(s => s.StudyAny == 1).ToList();
        var expected = studies.Where(s => s.StudyAny == 0).SelectMany(s => s.Files)
            .Concat(positiveStudies.SelectMany(s => s.LabelledSlices.Keys)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, dataset.Samples.Select(s => s.RelativeFile).Order(StringComparer.Ordinal));
        Assert.Equal(positiveStudies.Sum(s => s.Files.Count - s.LabelledSlices.Count), dataset.StudyLabelOnlyRows);
        foreach (var study in studies)
        {
            foreach (var (file, label) in study.LabelledSlices)
            {
                var sample = Assert.Single(dataset.Samples, s => s.RelativeFile == file);
                Assert.Equal(label, sample.Any);
                Assert.False(sample.AnyFromStudyLabel);
                Assert.Equal(study.StudyAny, sample.StudyAny);
                Assert.Equal(study.StudyInstanceUid, sample.StudyId);
                Assert.Equal(study.SeriesInstanceUid, sample.SeriesId);
                Assert.All(sample.Subtypes, v => Assert.NotNull(v));
                Assert.Equal(label == 1, sample.HasPositiveSubtype);
                Assert.Equal(Path.GetFileNameWithoutExtension(file), sample.SopInstanceUid);
            }
        }

        Assert.Equal(positiveStudies.Sum(s => s.LabelledSlices.Values.Count(v => v == 1)), dataset.Positives);
        Assert.Contains(dataset.Samples, s => s.StudyAny == 1 && s.Any == 0); // a reader's "no bleed here" in a positive study
        Assert.Equal(studies.Where(s => s.StudyAny == 0).Sum(s => s.Files.Count - s.LabelledSlices.Count), dataset.NegativeFromStudyLabel);
    }

    [Fact]
    public void Load_MalformedRows_EachATypedProblemWithFileAndLine_TheRestLoads()
    {
        using var folder = TestData.CreateTempFolder();
        var studies = FeedbackExport.Write(phantoms.Folders, folder.Path, sliceLabels: false);
        var csv = Path.Combine(folder.Path, "labels.csv");
        var lines = File.ReadAllLines(csv).ToList();
        int good = lines.Count;
        var negative = studies.First(s => s.StudyAny == 0);
        var positive = studies.First(s => s.StudyAny == 1);
        string Row(string file, string any, string subtypes, string study, string series, string studyAny) => $"{file},{any},{subtypes},P-x,{study},{series},site-feedback,{studyAny}";
        var bad = new (string Row, DatasetProblemKind Kind, string Says)[]
        {
            (Row(negative.Files[0], "", ",,,,", negative.StudyInstanceUid, negative.SeriesInstanceUid, "0") + ",extra", DatasetProblemKind.MalformedRow, "13 fields but the header has 12"),
            (Row(negative.Files[0], "", ",,,,", negative.StudyInstanceUid, negative.SeriesInstanceUid, "0")[..^2], DatasetProblemKind.MalformedRow, "11 fields"),
            (Row("", "1", ",,,,", positive.StudyInstanceUid, positive.SeriesInstanceUid, "1"), DatasetProblemKind.MalformedRow, "no file name"),
            (Row(positive.Files[1], "", ",,,,", positive.StudyInstanceUid, positive.SeriesInstanceUid, "yes"), DatasetProblemKind.InvalidLabel, "study_any label 'yes'"),
            (Row(positive.Files[2], "2", ",,,,", positive.StudyInstanceUid, positive.SeriesInstanceUid, "1"), DatasetProblemKind.InvalidLabel, "label '2'"),
            (Row(positive.Files[3], "1", "0,0,0,0,maybe", positive.StudyInstanceUid, positive.SeriesInstanceUid, "1"), DatasetProblemKind.InvalidLabel, "subdural label 'maybe'"),
            (Row(negative.Files[1], "1", ",,,,", negative.StudyInstanceUid, negative.SeriesInstanceUid, "0"), DatasetProblemKind.InconsistentLabels, "its study is labelled study_any 0"),
            (Row(positive.Files[4], "0", "0,0,0,0,1", positive.StudyInstanceUid, positive.SeriesInstanceUid, "1"), DatasetProblemKind.InconsistentLabels, "subdural 1 but any 0"),
            (Row(positive.Files[5], "", ",,,,", positive.StudyInstanceUid, positive.SeriesInstanceUid, "0"), DatasetProblemKind.InconsistentLabels, "differs from study_any 1 on line 2"),
        };

        lines.AddRange(bad.Select(b => b.Row));
        lines.Add(Row("dicom/x/y/missing.dcm", "", ",,,,", negative.StudyInstanceUid, negative.SeriesInstanceUid, "0"));
        var positiveFirstLine = lines.FindIndex(l => l.StartsWith(positive.Files[0] + ",", StringComparison.Ordinal));
        Assert.Equal(1, positiveFirstLine); // line 2: the study's first row, which the conflicting study_any names
        File.WriteAllText(csv, string.Join('\n', lines) + '\n', Encoding.UTF8);

        var dataset = DatasetLoader.Load(csv);
        foreach (var p in dataset.Problems)
        {
            output.WriteLine(p.ToString());
        }

        Assert.Equal(bad.Length + 1, dataset.Problems.Count);
        for (int i = 0; i < bad.Length; i++)
        {
            long line = good + i + 1;
            var problem = Assert.Single(dataset.Problems, p => p.Line == line);
            Assert.Equal(csv, problem.File);
            Assert.Equal(bad[i].Kind, problem.Kind);
            Assert.Contains(bad[i].Says, problem.Message, StringComparison.Ordinal);
            Assert.StartsWith($"{csv} line {line}: ", problem.ToString(), StringComparison.Ordinal);
        }

        var missing = Assert.Single(dataset.Problems, p => p.Kind == DatasetProblemKind.MissingFile);
        Assert.EndsWith("missing.dcm", missing.File, StringComparison.Ordinal);
        Assert.Contains($"line {good + bad.Length + 1}", missing.Message, StringComparison.Ordinal);

        // The well-formed rows still load: every negative-study slice, once.
        Assert.Equal(studies.Where(s => s.StudyAny == 0).Sum(s => s.Files.Count), dataset.Samples.Count);
    }

    [Fact]
    public void Load_StudyAnyWithoutAnyColumn_IsAccepted()
    {
        using var folder = TestData.CreateTempFolder();
        var studies = FeedbackExport.Write(phantoms.Folders, folder.Path, sliceLabels: false);
        var csv = Path.Combine(folder.Path, "study-only.csv");
        var negative = studies.First(s => s.StudyAny == 0);
        File.WriteAllText(csv, "file,study_id,study_any\n" + string.Join('\n', negative.Files.Select(f => $"{f},{negative.StudyInstanceUid},0")) + '\n');
        var dataset = DatasetLoader.Load(csv);
        Assert.Empty(dataset.Problems);
        Assert.Equal(negative.Files.Count, dataset.NegativeFromStudyLabel);
    }

    /// <summary>Two phantom studies with a subdural bleed (128², 20 slices: the top ones without) and one without (8 slices).</summary>
    public sealed class Phantoms : IDisposable
    {
        private readonly TempFolder _folder = TestData.CreateTempFolder();

        public Phantoms()
        {
            var positive = Path.Combine(_folder.Path, "positive");
            var negative = Path.Combine(_folder.Path, "negative");
            new PhantomGenerator(PhantomPresets.SmallSubdural with { SliceCount = 20, WriteMasks = false }).Generate(positive);
            new PhantomGenerator(new PhantomOptions { Seed = 12, Studies = 1, SliceCount = 8, MatrixSize = 128, Hemorrhage = HemorrhageMode.None, WriteMasks = false }).Generate(negative);
            Folders = [positive, negative];
        }

        /// <summary>The phantom runs.</summary>
        public IReadOnlyList<string> Folders { get; }

        /// <inheritdoc />
        public void Dispose() => _folder.Dispose();
    }
}
