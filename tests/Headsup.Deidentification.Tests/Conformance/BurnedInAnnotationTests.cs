using Headsup.Deidentification.Batch;
using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Conformance;

/// <summary>Files that say their pixels carry burned-in annotation are refused, named, and never written.</summary>
public sealed class BurnedInAnnotationTests
{
    [Theory]
    [InlineData("YES")]
    [InlineData("yes ")]
    public void DeidentifyFile_BurnedInAnnotationYes_ThrowsNamingTheFileAndWritesNothing(string value)
    {
        using var temp = TestData.CreateTempFolder();
        var input = PhiCtBuilder.Write(Path.Combine(temp.Path, "burned.dcm"), TestDeidentifiers.ThreeSlices().First with { BurnedInAnnotation = value });
        var output = Path.Combine(temp.Path, "out", "burned.dcm");

        var ex = Assert.Throws<BurnedInAnnotationException>(() => TestDeidentifiers.Create().DeidentifyFile(input, output));

        Assert.Equal(input, ex.SourceName);
        Assert.StartsWith(input + ": Burned In Annotation is YES", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")) && Directory.EnumerateFileSystemEntries(Path.Combine(temp.Path, "out")).Any());
    }

    [Fact]
    public void Run_BatchWithBurnedInFile_SkipsItWithTheReasonAndWritesTheRest()
    {
        using var temp = TestData.CreateTempFolder();
        var (first, second, _) = TestDeidentifiers.ThreeSlices();
        var good = PhiCtBuilder.Write(Path.Combine(temp.Path, "good.dcm"), first);
        var burned = PhiCtBuilder.Write(Path.Combine(temp.Path, "burned.dcm"), second with { BurnedInAnnotation = "YES" });
        var output = Path.Combine(temp.Path, "out");

        var summary = new DeidentificationBatch(TestDeidentifiers.Create(), output).Run([Input(good), Input(burned)]);

        Assert.Single(summary.Written);
        var skipped = Assert.Single(summary.Skipped);
        Assert.Equal("burned.dcm", skipped.Name);
        Assert.Equal(BurnedInAnnotationException.SkipReason, skipped.Reason);
        Assert.Empty(summary.Failed);
        Assert.Single(Directory.GetFiles(output, "*.dcm", SearchOption.AllDirectories));
    }

    private static DeidentificationInput Input(string path) => new(Path.GetFileName(path), () => File.OpenRead(path));
}
