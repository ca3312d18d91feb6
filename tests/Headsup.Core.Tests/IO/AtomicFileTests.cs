using Headsup.Core.IO;
using Headsup.Testing;
using Xunit;

namespace Headsup.Core.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void Write_NewFile_WritesContentAndLeavesNoTemporary()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "sub", "a.bin");
        AtomicFile.Write(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Write_WriterThrows_KeepsOldFileAndRemovesTemporary()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "a.txt");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(42);
            throw new InvalidOperationException("half-way");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void WriteAll_FailureMidway_RemovesTemporaryFilesAndRenamesNothing()
    {
        using var temp = TestData.CreateTempFolder();
        var files = new (string, byte[])[] { ("a.txt", [1, 2, 3]), ("missing-folder/b.txt", [4]) };
        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAll(temp.Path, files));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void WriteAll_FolderInTheWay_RefusesBeforeWritingAnything()
    {
        using var temp = TestData.CreateTempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "b.txt"));
        var files = new (string, byte[])[] { ("a.txt", [1]), ("b.txt", [2]) };
        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAll(temp.Path, files));
        Assert.Contains("b.txt", error.Message, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(temp.Path, "b.txt")], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void WriteAll_TwoFiles_ReturnsFullPathsInOrder()
    {
        using var temp = TestData.CreateTempFolder();
        var written = AtomicFile.WriteAll(temp.Path, [("x.json", [1]), ("y.csv", [2, 3])]);
        Assert.Equal([Path.Combine(temp.Path, "x.json"), Path.Combine(temp.Path, "y.csv")], written);
        Assert.Equal(new byte[] { 2, 3 }, File.ReadAllBytes(written[1]));
    }
}
