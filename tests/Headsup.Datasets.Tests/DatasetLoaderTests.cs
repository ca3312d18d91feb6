using Headsup.Inputs;
using System.Text;

namespace Headsup.Datasets.Tests;

public class DatasetLoaderTests(ITestOutputHelper output, SmallSubduralPhantomFixture phantom) : IClassFixture<SmallSubduralPhantomFixture>
{
    [Fact]
    public void LabelsCsv_BadInput_ProblemsListedRestLoads()
    {
        using var folder = TestData.CreateTempFolder();
        TestImages.WriteHeadPng(Path.Combine(folder.Path, "images", "a.png"));
        TestImages.WriteHeadPng(Path.Combine(folder.Path, "images", "b.png"), rgb: true);
        TestImages.WriteHeadPng(Path.Combine(folder.Path, "images", "007.png"));
        TestImages.WriteHeadPng(Path.Combine(folder.Path, "images", "c.jpg")); // PNG content named .jpg
        File.WriteAllText(Path.Combine(folder.Path, "images", "notimage.png"), "hello");
        var csv = "\uFEFFimage,hemorrhage,patient_id\r\n" +
            "images/a.png,1,P1\r\n" +
            "\"images/b.png\",0,\"P,2\"\r\n" +
            "images/missing.png,1,P3\r\n" +
            "images/a.png,1,P1\r\n" +       // exact duplicate
            "images/a.png,0,P1\r\n" +       // conflicting duplicate
            "images/c.jpg,,P4\r\n" +        // unknown label
            "images/c.jpg,yes,P4\r\n" +     // bad label
            "7,0,\r\n" +                    // bare Kaggle id → images/007.png
            "images/notimage.png,0,P5\r\n" +
            "images/c.jpg,0,\r\n";
        File.WriteAllText(Path.Combine(folder.Path, "labels.csv"), csv, Encoding.UTF8);

        var dataset = DatasetLoader.Load(Path.Combine(folder.Path, "labels.csv"));
        foreach (var p in dataset.Problems)
        {
            output.WriteLine(p.ToString());
        }

        Assert.Equal(["images/a.png", "images/b.png", "images/007.png", "images/c.jpg"], dataset.Samples.Select(s => s.RelativeFile));
        Assert.Equal(1, dataset.UnknownLabels);
        Assert.Equal(1, dataset.DuplicateRows);
        Assert.Equal(1, dataset.MissingFiles);
        Assert.Equal(4, dataset.Problems.Count); // missing, conflict, bad label, not an image
        Assert.Contains(dataset.Problems, p => p.File.EndsWith("missing.png", StringComparison.Ordinal));
        Assert.Contains(dataset.Problems, p => p.Message.Contains("yes", StringComparison.Ordinal));
        Assert.Contains(dataset.Problems, p => p.File.EndsWith("notimage.png", StringComparison.Ordinal));
        Assert.Equal("P,2", dataset.Samples[1].PatientId);
        Assert.Equal("row:images/007.png", dataset.Samples[2].PatientId);
        Assert.Equal(ImageFormat.Png, dataset.Samples[3].Format);
        Assert.All(dataset.Samples, s => Assert.True(Path.IsPathRooted(s.File)));
        Assert.All(dataset.Samples, s => Assert.Equal(5, s.Subtypes.Count));
        Assert.All(dataset.Samples, s => Assert.All(s.Subtypes, v => Assert.Null(v)));
        Assert.Equal(Path.GetFileName(folder.Path), dataset.Samples[0].Source);
    }

    [Fact]
    public void LabelsCsv_NoFileColumn_TypedError()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "labels.csv");
        File.WriteAllText(path, "name,label\na,1\n");
        var ex = Assert.Throws<DatasetException>(() => DatasetLoader.Load(path));
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void Load_MissingPath_TypedError()
    {
        Assert.Throws<DatasetException>(() => DatasetLoader.Load("/nonexistent/headsup/labels.csv"));
    }

    [Fact]
    public void PhantomFolder_LoadsLabelsWithMasksAndHeaders()
    {
        var dataset = DatasetLoader.Load(phantom.Folder.Path);
        Assert.Empty(dataset.Problems);
        Assert.Equal(20, dataset.Samples.Count);
        Assert.All(dataset.Samples, s =>
        {
            Assert.Equal("phantom", s.Source);
            Assert.Equal(ImageFormat.Dicom, s.Format);
            Assert.NotNull(s.MaskFile);
            Assert.True(File.Exists(s.MaskFile));
            Assert.NotNull(s.SopInstanceUid);
            Assert.NotNull(s.Z);
            Assert.NotNull(s.InstanceNumber);
            Assert.All(s.Subtypes, v => Assert.NotNull(v));
        });
        Assert.Equal(2, dataset.Samples.Select(s => s.PatientId).Distinct().Count());
        Assert.True(dataset.Positives > 0);
        Assert.All(dataset.Samples.Where(s => s.Any == 1), s => Assert.Equal(1, s.Subtypes[4]));
    }

    [Fact]
    public void RsnaLayout_StreamsCsv_DuplicatesConflictsAndMissingFiles()
    {
        using var folder = TestData.CreateTempFolder();
        var images = Path.Combine(folder.Path, "stage_2_train", "part1");
        Directory.CreateDirectory(images);
        foreach (var f in Directory.GetFiles(Path.Combine(phantom.Folder.Path, "dicom")))
        {
            File.Copy(f, Path.Combine(images, Path.GetFileName(f)));
        }

        var lines = File.ReadAllLines(Path.Combine(phantom.Folder.Path, "stage_2_train.csv")).ToList();
        int imagesInCsv = (lines.Count - 1) / 6;
        lines.Add(lines[1]);                                   // duplicate
        lines.Add(lines[2].EndsWith(",0", StringComparison.Ordinal) ? lines[2][..^1] + "1" : lines[2][..^1] + "0"); // conflict
        lines.AddRange(["ID_ffffffff0_any,1", "ID_ffffffff0_subdural,1"]); // missing file
        lines.Add("ID_eeeeeeee0_any,");                      // unknown
        lines.Add("ID_dddddddd0_any,2");                     // bad
        lines.Add("garbage");
        File.WriteAllText(Path.Combine(folder.Path, "stage_2_train.csv"), string.Join("\r\n", lines) + "\r\n");

        var dataset = DatasetLoader.Load(Path.Combine(folder.Path, "stage_2_train.csv"));
        foreach (var p in dataset.Problems)
        {
            output.WriteLine(p.ToString());
        }

        Assert.Equal(imagesInCsv, dataset.Samples.Count);
        Assert.Equal(1, dataset.DuplicateRows);
        Assert.Equal(1, dataset.MissingFiles);
        Assert.Equal(1, dataset.UnknownLabels);
        Assert.Equal(4, dataset.Problems.Count); // conflict, missing, bad label, garbage
        Assert.All(dataset.Samples, s =>
        {
            Assert.Equal("rsna", s.Source);
            Assert.StartsWith("stage_2_train/part1/ID_", s.RelativeFile, StringComparison.Ordinal);
            Assert.StartsWith("PHANTOM", s.PatientId, StringComparison.OrdinalIgnoreCase);
            Assert.NotNull(s.StudyId);
            Assert.NotNull(s.SeriesId);
            Assert.NotNull(s.Z);
        });

        // Same labels as the phantom's own labels.csv.
        var reference = DatasetLoader.Load(phantom.Folder.Path).Samples.ToDictionary(s => Path.GetFileName(s.File));
        foreach (var s in dataset.Samples)
        {
            var r = reference[Path.GetFileName(s.File)];
            Assert.Equal(r.Any, s.Any);
            Assert.Equal(r.Subtypes, s.Subtypes);
            Assert.Equal(r.PatientId, s.PatientId);
        }
    }

    [Fact]
    public void LoadMany_ConcatenatesAndKeepsSource()
    {
        using var folder = TestData.CreateTempFolder();
        TestImages.WriteHeadPng(Path.Combine(folder.Path, "x.png"));
        File.WriteAllText(Path.Combine(folder.Path, "labels.csv"), "file,any,source\nx.png,0,kaggle\n");
        var dataset = DatasetLoader.LoadMany([phantom.Folder.Path, folder.Path]);
        Assert.Equal(21, dataset.Samples.Count);
        Assert.Equal(["kaggle", "phantom"], dataset.Samples.Select(s => s.Source).Distinct().Order());
        Assert.Contains(";", dataset.Origin, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void SharedData_HeadCtDev_140Png()
    {
        var csv = TestData.RequireSharedData("head-ct-dev", "labels.csv");
        var dataset = DatasetLoader.Load(csv);
        output.WriteLine($"head-ct-dev: {dataset.Samples.Count} samples, {dataset.Positives} positive, {dataset.Problems.Count} problems, {dataset.UnknownLabels} unknown");
        Assert.Empty(dataset.Problems);
        Assert.Equal(140, dataset.Samples.Count);
        Assert.Equal(70, dataset.Positives);
        Assert.All(dataset.Samples, s => Assert.Equal(ImageFormat.Png, s.Format));
        Assert.All(dataset.Samples, s => Assert.Equal("head-ct-dev", s.Source));
        Assert.Equal(140, dataset.Samples.Select(s => s.PatientId).Distinct().Count());
    }

    [SkippableFact]
    public void SharedData_RealCtDev_112DicomRowsOf4Studies()
    {
        var csv = TestData.RequireSharedData("real-ct-dev", "labels.csv");
        var dataset = DatasetLoader.Load(csv);
        output.WriteLine($"real-ct-dev: {dataset.Samples.Count} samples ({dataset.Positives} positive), {dataset.UnknownLabels} unknown labels, {dataset.Problems.Count} problems");
        Assert.Empty(dataset.Problems);
        Assert.Equal(112, dataset.Samples.Count + dataset.UnknownLabels);
        Assert.All(dataset.Samples, s => Assert.Equal(ImageFormat.Dicom, s.Format));
        Assert.All(dataset.Samples, s => Assert.NotNull(s.SopInstanceUid));
        Assert.All(dataset.Samples, s => Assert.NotNull(s.Z));
        Assert.InRange(dataset.Samples.Select(s => s.StudyId).Distinct().Count(), 2, 4);
        Assert.Equal(["CQ500", "RSNA"], dataset.Samples.Select(s => s.Source).Distinct().Order());
    }

    [SkippableTheory]
    [InlineData("inesriahi-samples")]
    [InlineData("macascull-samples")]
    [InlineData("yebiny-dcm_test")]
    public void SharedData_SliceFolders(string name)
    {
        var csv = TestData.RequireSharedData("real-ct-dev", "slices", name, "labels.csv");
        var dataset = DatasetLoader.Load(csv);
        output.WriteLine($"{name}: {dataset.Samples.Count} samples ({dataset.Positives} positive), {dataset.UnknownLabels} unknown, {dataset.Problems.Count} problems");
        Assert.Empty(dataset.Problems);
        Assert.NotEmpty(dataset.Samples);
        Assert.All(dataset.Samples, s => Assert.Equal(ImageFormat.Dicom, s.Format));
        Assert.All(dataset.Samples, s => Assert.StartsWith("ID_", s.PatientId, StringComparison.Ordinal));
        Assert.All(dataset.Samples, s => Assert.Equal(name, s.Source));
    }
}
