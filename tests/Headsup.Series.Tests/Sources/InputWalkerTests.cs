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
    public void List_FolderOfLinksToStudyFolders_FollowsThemUnderTheLinkNames()
    {
        using var temp = TestData.CreateTempFolder();
        var studies = Path.Combine(temp.Path, "store");
        foreach (var name in new[] { "s1/a.dcm", "s1/b.dcm", "s2/deep/c.dcm" })
        {
            var path = Path.Combine(studies, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0]);
        }

        var links = Path.Combine(temp.Path, "links");
        Directory.CreateDirectory(links);
        Directory.CreateSymbolicLink(Path.Combine(links, "study-1"), Path.Combine(studies, "s1"));
        Directory.CreateSymbolicLink(Path.Combine(links, "study-2"), "../store/s2"); // relative target
        File.CreateSymbolicLink(Path.Combine(links, "single.dcm"), Path.Combine(studies, "s1", "a.dcm"));

        var listing = InputWalker.List(links);

        Assert.Equal(["single.dcm", "study-1/b.dcm", "study-2/deep/c.dcm"], listing.Files.Select(f => f.Name));
        var duplicate = Assert.Single(listing.Skipped);
        Assert.Contains("study-1/a.dcm", duplicate.Source.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.Contains("the same file as", duplicate.Reason, StringComparison.Ordinal);
        Assert.Empty(listing.Failures);
    }

    [Fact]
    public void List_LinkLoops_ReportedAsSkippedWithTheReason()
    {
        using var temp = TestData.CreateTempFolder();
        var sub = Path.Combine(temp.Path, "a", "b");
        Directory.CreateDirectory(sub);
        File.WriteAllBytes(Path.Combine(sub, "1.dcm"), [0]);
        Directory.CreateSymbolicLink(Path.Combine(sub, "up"), Path.Combine(temp.Path, "a"));
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(temp.Path, "ping"), Path.Combine(temp.Path, "pong"));
        File.CreateSymbolicLink(Path.Combine(temp.Path, "pong"), Path.Combine(temp.Path, "ping"));

        var listing = InputWalker.List(temp.Path);

        Assert.Equal(["a/b/1.dcm"], listing.Files.Select(f => f.Name));
        Assert.Equal(["ping", "pong", "self", "up"], listing.Skipped.Select(s => Path.GetFileName(s.Source)).Order(StringComparer.Ordinal));
        Assert.All(listing.Skipped, s => Assert.Contains("symbolic link loop", s.Reason, StringComparison.Ordinal));
        Assert.Empty(listing.Failures);
    }

    [Fact]
    public void List_TwoLinksToOneFolder_WalkedOnce()
    {
        using var temp = TestData.CreateTempFolder();
        var store = Path.Combine(temp.Path, "store");
        Directory.CreateDirectory(store);
        File.WriteAllBytes(Path.Combine(store, "1.dcm"), [0]);
        var input = Path.Combine(temp.Path, "input");
        Directory.CreateDirectory(input);
        Directory.CreateSymbolicLink(Path.Combine(input, "first"), store);
        Directory.CreateSymbolicLink(Path.Combine(input, "second"), store);

        var listing = InputWalker.List(input);

        Assert.Equal(["first/1.dcm"], listing.Files.Select(f => f.Name));
        Assert.Contains("already walked", Assert.Single(listing.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void List_DanglingLink_ReportedAsFailureWithTheTarget()
    {
        using var temp = TestData.CreateTempFolder();
        File.WriteAllBytes(Path.Combine(temp.Path, "1.dcm"), [0]);
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "gone"), Path.Combine(temp.Path, "nowhere"));

        var listing = InputWalker.List(temp.Path);

        Assert.Equal(["1.dcm"], listing.Files.Select(f => f.Name));
        var failure = Assert.Single(listing.Failures);
        Assert.Contains("dangling symbolic link", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("nowhere", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void List_InputIsDanglingLink_ThrowsNamingIt()
    {
        using var temp = TestData.CreateTempFolder();
        var link = Path.Combine(temp.Path, "input");
        Directory.CreateSymbolicLink(link, Path.Combine(temp.Path, "nowhere"));

        var ex = Assert.Throws<ScanInputException>(() => InputWalker.List(link));

        Assert.Contains("dangling symbolic link", ex.Message, StringComparison.Ordinal);
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
