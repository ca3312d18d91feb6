using Headsup.Series.Sources;
using Headsup.Testing;
using Xunit;

namespace Headsup.Series.Tests.Sources;

public class InputWalkerTests
{
    [Fact]
    public void Walk_NestedFolder_ListsEveryFileInOrdinalOrderWithSlashNames()
    {
        using var temp = TestData.CreateTempFolder();
        foreach (var name in new[] { "b/2.dcm", "a/z/1.dcm", "a/1.dcm", "c.zip", "B.dcm" })
        {
            var path = Path.Combine(temp.Path, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0]);
        }

        var files = InputWalker.Walk(temp.Path);

        Assert.Equal(["B.dcm", "a/1.dcm", "a/z/1.dcm", "b/2.dcm", "c.zip"], files.Select(f => f.Name));
        Assert.Equal([false, false, false, false, true], files.Select(f => f.IsArchive));
    }

    [Fact]
    public void Walk_FolderSymlinkLoop_NotFollowed()
    {
        using var temp = TestData.CreateTempFolder();
        File.WriteAllBytes(Path.Combine(temp.Path, "1.dcm"), [0]);
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "loop"), temp.Path);

        Assert.Equal(["1.dcm"], InputWalker.Walk(temp.Path).Select(f => f.Name));
    }

    [Fact]
    public void Walk_SingleFileWithZipSignature_IsArchive()
    {
        using var temp = TestData.CreateTempFolder();
        var path = ZipSourceArchiveTests.WriteZip(Path.Combine(temp.Path, "study.bin"), ("a.dcm", [1]));

        var file = Assert.Single(InputWalker.Walk(path));

        Assert.True(file.IsArchive);
        Assert.Equal("study.bin", file.Name);
    }
}
