using Headsup.Phantom.Lesions;
using Headsup.Testing;

namespace Headsup.Phantom.Tests;

public sealed class PhantomGeneratorTests
{
    private static PhantomOptions Small(int seed) => new()
    {
        Seed = seed,
        Studies = 2,
        SliceCount = 6,
        MatrixSize = 128,
        Hemorrhage = HemorrhageMode.Random,
        PositiveStudyFraction = 1,
    };

    private static Dictionary<string, byte[]> ReadAll(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    [Fact]
    public void Generate_SameSeed_ByteIdenticalOutput()
    {
        using var a = TestData.CreateTempFolder();
        using var b = TestData.CreateTempFolder();
        new PhantomGenerator(Small(11)).Generate(a.Path);
        new PhantomGenerator(Small(11)).Generate(b.Path);
        var first = ReadAll(a.Path);
        var second = ReadAll(b.Path);
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (name, bytes) in first)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(second[name]), $"{name} differs between runs");
        }

        Assert.DoesNotContain(first.Keys, k => k.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_DifferentSeeds_DifferentOutput()
    {
        using var a = TestData.CreateTempFolder();
        using var b = TestData.CreateTempFolder();
        var sa = new PhantomGenerator(Small(1)).Generate(a.Path);
        var sb = new PhantomGenerator(Small(2)).Generate(b.Path);
        Assert.NotEqual(sa.Studies[0].StudyInstanceUid, sb.Studies[0].StudyInstanceUid);
        Assert.Empty(sa.Studies[0].Files.Intersect(sb.Studies[0].Files));
        Assert.NotEqual(File.ReadAllBytes(sa.RsnaLabelsPath), File.ReadAllBytes(sb.RsnaLabelsPath));
    }

    [Fact]
    public void Generate_Progress_ReportsEveryFile()
    {
        using var folder = TestData.CreateTempFolder();
        var reports = new List<PhantomProgress>();
        var summary = new PhantomGenerator(Small(3) with { WriteMasks = false }).Generate(folder.Path, new SynchronousProgress(reports.Add));
        Assert.Equal(summary.FileCount, reports.Count);
        Assert.Equal(summary.FileCount, reports[^1].FilesWritten);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, PhantomGenerator.MaskFolder)));
    }

    [Fact]
    public void Generate_Cancelled_Throws()
    {
        using var folder = TestData.CreateTempFolder();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new PhantomGenerator(Small(3)).Generate(folder.Path, null, cts.Token));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PhantomGenerator(new PhantomOptions { Studies = 0 }));
        Assert.Throws<ArgumentException>(() => new PhantomGenerator(new PhantomOptions { Hemorrhage = HemorrhageMode.Specified }));
        Assert.Throws<ArgumentException>(() => new PhantomGenerator(new PhantomOptions { MinConspicuity = 0.8, MaxConspicuity = 0.2 }));
    }

    [Theory]
    [InlineData("none", HemorrhageMode.None, new HemorrhageSubtype[0])]
    [InlineData("Random", HemorrhageMode.Random, new HemorrhageSubtype[0])]
    [InlineData("subdural", HemorrhageMode.Specified, new[] { HemorrhageSubtype.Subdural })]
    [InlineData("subdural, intraparenchymal", HemorrhageMode.Specified, new[] { HemorrhageSubtype.Subdural, HemorrhageSubtype.Intraparenchymal })]
    public void TryWithHemorrhage_ValidText_SetsModeAndSubtypes(string text, HemorrhageMode mode, HemorrhageSubtype[] subtypes)
    {
        Assert.True(new PhantomOptions().TryWithHemorrhage(text, out var options));
        Assert.Equal(mode, options.Hemorrhage);
        Assert.Equal(subtypes, options.Subtypes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bleed")]
    [InlineData("subdural,chronic")]
    public void TryWithHemorrhage_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(new PhantomOptions().TryWithHemorrhage(text, out _));
    }

    [Fact]
    public void CreateStudy_NoHemorrhage_NoLesionPixels()
    {
        var study = new PhantomGenerator(new PhantomOptions { Seed = 5, SliceCount = 6, MatrixSize = 128, Hemorrhage = HemorrhageMode.None }).CreateStudy(0);
        Assert.Empty(study.Lesions);
        Assert.All(study.Slices, s => Assert.DoesNotContain(s.LesionMask, b => b != 0));
        Assert.All(study.Slices, s => Assert.False(s.IsPositive));
    }

    private sealed class SynchronousProgress(Action<PhantomProgress> report) : IProgress<PhantomProgress>
    {
        public void Report(PhantomProgress value) => report(value);
    }
}
