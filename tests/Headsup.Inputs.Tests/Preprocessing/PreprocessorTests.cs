using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Slices;
using Headsup.Inputs.Preprocessing;
using Headsup.Testing;
using Xunit;

namespace Headsup.Inputs.Tests.Preprocessing;

public sealed class PreprocessorTests
{
    public static TheoryData<string> Recipes() =>
    [
        "hu", "e1", "e2", "e3", "e3-paper", "e4", "context", "context-windows",
        "e2-size40", "e2-size24", "e1-size24-bilinear", "e2-crop-size24", "hu-size24", "context-size24",
        "e1-png", "e2-png", "e3-png", "e4-png-size24", "context-png",
    ];

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Run_Recipe_WritesExactlyWhatRecipeBuilderBuilds(string name)
    {
        var (recipe, format) = Case(name);
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        var output = Path.Combine(temp.Path, "out");
        SyntheticCt.WriteSeries(input, count: 5);

        var result = new Preprocessor(new PreprocessOptions(input, output, recipe, format)).Run();

        Assert.Empty(result.Failures);
        Assert.Equal(5, result.Images);
        Assert.Equal(5, result.Written);
        var slices = Enumerable.Range(0, 5)
            .Select(i => HuSliceLoader.Load(DicomFileReader.Open(Path.Combine(input, $"slice-{i:00}.dcm")), null))
            .ToArray();
        var extension = format == PreprocessFormat.Npy ? ".npy" : ".png";
        for (int i = 0; i < slices.Length; i++)
        {
            var expected = Reference(recipe, format, slices[i], i > 0 ? slices[i - 1] : null, i + 1 < slices.Length ? slices[i + 1] : null);
            var actual = File.ReadAllBytes(Path.Combine(output, $"slice-{i:00}.dcm{extension}"));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name}: slice {i} differs from RecipeBuilder + NpyWriter/PngWriter");
        }
    }

    [Theory]
    [InlineData(RecipeKind.E2, 70)]
    [InlineData(RecipeKind.E2, 130)]
    [InlineData(RecipeKind.E1, 70)]
    public void Run_ImageOfSeveralTilesWithATail_WritesExactlyWhatRecipeBuilderBuilds(RecipeKind kind, int size)
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        var output = Path.Combine(temp.Path, "out");
        SyntheticCt.WriteSeries(input, count: 2, size: size);
        var recipe = new RecipeOptions { Kind = kind };

        new Preprocessor(new PreprocessOptions(input, output, recipe)).Run();

        for (int i = 0; i < 2; i++)
        {
            var slice = HuSliceLoader.Load(DicomFileReader.Open(Path.Combine(input, $"slice-{i:00}.dcm")), null);
            var expected = Reference(recipe, PreprocessFormat.Npy, slice, null, null);
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, $"slice-{i:00}.dcm.npy"))), $"{kind} {size}²: slice {i} differs");
        }
    }

    [Fact]
    public void Run_E2OnOneAndTwoThreads_WritesTheSameBytes()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        SyntheticCt.WriteSeries(input, count: 9);
        var recipe = new RecipeOptions { Kind = RecipeKind.E2 };

        new Preprocessor(new PreprocessOptions(input, Path.Combine(temp.Path, "one"), recipe) { MaxDegreeOfParallelism = 1 }).Run();
        new Preprocessor(new PreprocessOptions(input, Path.Combine(temp.Path, "two"), recipe) { MaxDegreeOfParallelism = 2 }).Run();

        foreach (var file in Directory.GetFiles(Path.Combine(temp.Path, "one")))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(temp.Path, "two", Path.GetFileName(file))));
        }
    }

    [Fact]
    public void Run_FolderWithBadFiles_ReportsEachWithReasonAndConvertsTheRest()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        var output = Path.Combine(temp.Path, "out");
        var good = SyntheticCt.WriteSeries(input, count: 3);
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not dicom");
        File.WriteAllBytes(Path.Combine(input, "truncated.dcm"), File.ReadAllBytes(good[0])[..3000]);
        DicomFileWriter.Save(Path.Combine(input, "mr.dcm"), SyntheticCt.Slice(7, 40, 1, modality: "MR"), TransferSyntax.ExplicitVRLittleEndian);

        var result = new Preprocessor(new PreprocessOptions(input, output, new RecipeOptions { Kind = RecipeKind.E1 })).Run();

        Assert.Equal(6, result.SourcesScanned);
        Assert.Equal(3, result.Written);
        Assert.True(result.HasFailures);
        Assert.Equal(["mr.dcm", "notes.txt", "truncated.dcm"], result.Failures.Select(f => Path.GetFileName(f.Source)));
        Assert.Equal("modality 'MR' is not CT: Hounsfield recipes do not apply", result.Failures[0].Reason);
        Assert.Equal("not a DICOM file", result.Failures[1].Reason);
        Assert.Equal(3, Directory.GetFiles(output, "*.npy").Length);
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Run_ContextWithUnreadableNeighbour_ReportsTheSlicesThatNeedIt()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        SyntheticCt.WriteSeries(input, count: 5);
        var broken = Path.Combine(input, "slice-02.dcm");
        var bytes = File.ReadAllBytes(broken);
        File.WriteAllBytes(broken, bytes[..(bytes.Length - 100)]); // header intact, pixel data short

        var result = new Preprocessor(new PreprocessOptions(input, Path.Combine(temp.Path, "out"), new RecipeOptions { Kind = RecipeKind.Context })).Run();

        Assert.Equal(["slice-01.dcm", "slice-02.dcm", "slice-03.dcm"], result.Failures.Select(f => Path.GetFileName(f.Source)));
        Assert.Equal(2, result.Written);
    }

    [Fact]
    public void Run_MultiFrameFile_WritesOneOutputPerFrame()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        Directory.CreateDirectory(input);
        DicomFileWriter.Save(Path.Combine(input, "multi.dcm"), SyntheticCt.Slice(0, 32, 3, frames: 3), TransferSyntax.ExplicitVRLittleEndian);
        var output = Path.Combine(temp.Path, "out");

        var result = new Preprocessor(new PreprocessOptions(input, output, new RecipeOptions { Kind = RecipeKind.Hu })).Run();

        Assert.Equal(1, result.Images);
        Assert.Equal(3, result.Written);
        var file = DicomFileReader.Open(Path.Combine(input, "multi.dcm"));
        for (int frame = 0; frame < 3; frame++)
        {
            var npy = NpyFile.Read(Path.Combine(output, $"multi.dcm.frame{frame}.npy"));
            Assert.Equal(new[] { 32, 32 }, npy.Shape);
            Assert.Equal(HuSliceLoader.Load(file, null, frame).Hu, npy.AsFloats());
        }
    }

    [Fact]
    public void Run_Progress_ReportsScanThenEveryImage()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        SyntheticCt.WriteSeries(input, count: 4);
        var reports = new List<PreprocessProgress>();
        var progress = new Recorder(reports);

        new Preprocessor(new PreprocessOptions(input, Path.Combine(temp.Path, "out"), new RecipeOptions()) { MaxDegreeOfParallelism = 1 }).Run(progress);

        Assert.Equal(new PreprocessProgress(PreprocessStage.Scanning, 4, 4), reports.Last(r => r.Stage == PreprocessStage.Scanning));
        Assert.Equal(Enumerable.Range(0, 5), reports.Where(r => r.Stage == PreprocessStage.Converting).Select(r => r.Done));
        Assert.All(reports.Where(r => r.Stage == PreprocessStage.Converting), r => Assert.Equal(4, r.Total));
    }

    [Fact]
    public void Run_Cancelled_ThrowsOperationCanceled()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        SyntheticCt.WriteSeries(input, count: 2);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Preprocessor(new PreprocessOptions(input, Path.Combine(temp.Path, "out"), new RecipeOptions())).Run(cancellationToken: cancel.Token));
    }

    [Fact]
    public void Run_OutputUnderAFile_ThrowsPreprocessOutputException()
    {
        using var temp = TestData.CreateTempFolder();
        var input = Path.Combine(temp.Path, "in");
        SyntheticCt.WriteSeries(input, count: 1);
        var blocker = Path.Combine(temp.Path, "file");
        File.WriteAllText(blocker, "x");

        var ex = Assert.Throws<PreprocessOutputException>(() =>
            new Preprocessor(new PreprocessOptions(input, Path.Combine(blocker, "out"), new RecipeOptions())).Run());
        Assert.Equal(Path.Combine(blocker, "out"), ex.OutputFolder);
    }

    [Theory]
    [InlineData(RecipeKind.Hu, PreprocessFormat.Png, false)]
    [InlineData(RecipeKind.Hu, PreprocessFormat.Npy, true)]
    [InlineData(RecipeKind.E2, PreprocessFormat.Png, true)]
    [InlineData(RecipeKind.E1, PreprocessFormat.Png, true)]
    [InlineData(RecipeKind.Context, PreprocessFormat.Png, true)]
    public void Supports_RecipeAndFormat_OnlyPngOfWindowsUpToThreeChannels(RecipeKind kind, PreprocessFormat format, bool supported)
    {
        Assert.Equal(supported, PreprocessOptions.Supports(format, new RecipeOptions { Kind = kind }));
    }

    [Fact]
    public void Options_PngForNineChannels_Throws()
    {
        var recipe = new RecipeOptions { Kind = RecipeKind.Context, ContextChannels = ContextChannels.ThreeWindows };
        Assert.Throws<ArgumentException>(() => new PreprocessOptions("in", "out", recipe, PreprocessFormat.Png));
    }

    [Fact]
    public void Options_SizeZero_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new PreprocessOptions("in", "out", new RecipeOptions { Size = 0 }));
    }

    /// <summary>What the CLI wrote before the job moved here: RecipeBuilder.Build, interleave, NpyWriter or PngWriter.</summary>
    private static byte[] Reference(RecipeOptions recipe, PreprocessFormat format, HuSlice slice, HuSlice? before, HuSlice? after)
    {
        var tensor = new RecipeBuilder(recipe).Build(slice, before, after);
        int[] shape = tensor.Channels == 1 ? [tensor.Height, tensor.Width] : [tensor.Height, tensor.Width, tensor.Channels];
        using var stream = new MemoryStream();
        if (format == PreprocessFormat.Npy)
        {
            if (tensor.Bytes is not null)
            {
                NpyWriter.Write(stream, tensor.ToHwcBytes(), shape);
            }
            else
            {
                NpyWriter.Write(stream, tensor.ToHwcFloats(), shape);
            }
        }
        else
        {
            var bytes = tensor.Bytes is not null ? tensor.ToHwcBytes() : RecipeBuilder.Quantize(tensor.ToHwcFloats(), E3Quantization.Rounded);
            PngWriter.Write(stream, bytes, tensor.Width, tensor.Height, tensor.Channels);
        }

        return stream.ToArray();
    }

    private static (RecipeOptions Recipe, PreprocessFormat Format) Case(string name)
    {
        var recipe = new RecipeOptions();
        var format = PreprocessFormat.Npy;
        foreach (var part in name.Split('-'))
        {
            recipe = part switch
            {
                "hu" => recipe with { Kind = RecipeKind.Hu },
                "e1" => recipe with { Kind = RecipeKind.E1 },
                "e2" => recipe with { Kind = RecipeKind.E2 },
                "e3" => recipe with { Kind = RecipeKind.E3 },
                "e4" => recipe with { Kind = RecipeKind.E4, E4RedWeight = 0.9f, E4GreenBlueWeight = 0.4f },
                "context" => recipe with { Kind = RecipeKind.Context },
                "windows" => recipe with { ContextChannels = ContextChannels.ThreeWindows },
                "paper" => recipe with { E3Mode = E3Quantization.PaperTruncation },
                "size40" => recipe with { Size = 40 },
                "size24" => recipe with { Size = 24 },
                "bilinear" => recipe with { ResizeMethod = ResizeMethod.Bilinear },
                "crop" => recipe with { CropToHead = true },
                "png" => recipe,
                _ => throw new ArgumentException(part),
            };
            if (part == "png")
            {
                format = PreprocessFormat.Png;
            }
        }

        return (recipe, format);
    }

    private sealed class Recorder(List<PreprocessProgress> reports) : IProgress<PreprocessProgress>
    {
        public void Report(PreprocessProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
