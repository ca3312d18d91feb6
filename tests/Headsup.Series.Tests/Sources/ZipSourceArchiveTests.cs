using System.Buffers.Binary;
using System.IO.Compression;
using Headsup.Dicom;
using Headsup.Series.Sources;
using Headsup.Testing;
using Xunit;

namespace Headsup.Series.Tests.Sources;

public class ZipSourceArchiveTests
{
    internal static string WriteZip(string path, params (string Name, byte[] Bytes)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            stream.Write(bytes);
        }

        return path;
    }

    [Theory]
    [InlineData("../evil.dcm", "\"..\" segment")]
    [InlineData("a/../../evil.dcm", "\"..\" segment")]
    [InlineData("a\\..\\..\\evil.dcm", "\"..\" segment")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("C:/Windows/evil.dcm", "drive letter")]
    public void Open_EntryEscapingRoot_ThrowsUnsafeEntryNamingZipAndEntry(string entry, string problem)
    {
        using var temp = TestData.CreateTempFolder();
        var zip = WriteZip(Path.Combine(temp.Path, "bad.zip"), ("ok.dcm", [1, 2, 3]), (entry, [4, 5, 6]));

        var error = Assert.Throws<UnsafeArchiveEntryException>(() => ZipSourceArchive.Open(zip));

        Assert.Equal(entry, error.Entry);
        Assert.Equal(zip, error.Archive);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("bad.zip", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/./b//c.dcm", "a/b/c.dcm")]
    [InlineData("a\\b.dcm", "a/b.dcm")]
    [InlineData("folder/", null)]
    [InlineData("..a/b..c.dcm", "..a/b..c.dcm")]
    public void NormalizeEntryName_SafeNames_NormalisedOrFolderNull(string entry, string? expected)
    {
        Assert.Equal(expected, ZipSourceArchive.NormalizeEntryName("x.zip", entry));
    }

    [Fact]
    public void Open_TooManyEntries_ThrowsLimit()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = WriteZip(Path.Combine(temp.Path, "many.zip"), Enumerable.Range(0, 11).Select(i => ($"f{i}", new byte[] { 1 })).ToArray());

        var error = Assert.Throws<ArchiveLimitException>(() => ZipSourceArchive.Open(zip, new ArchiveLimits { MaxEntries = 10 }));
        Assert.Contains("11 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EntryDeclaresTooManyBytes_ThrowsLimitNamingEntry()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = WriteZip(Path.Combine(temp.Path, "bomb.zip"), ("zeros.dcm", new byte[4 << 20]));
        Assert.True(new FileInfo(zip).Length < 64 * 1024, "the fixture should compress like a bomb");

        var error = Assert.Throws<ArchiveLimitException>(() => ZipSourceArchive.Open(zip, new ArchiveLimits { MaxEntryBytes = 1 << 20 }));
        Assert.Equal("zeros.dcm", error.Entry);
    }

    [Fact]
    public void Open_TotalDeclaredTooLarge_ThrowsLimit()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = WriteZip(Path.Combine(temp.Path, "total.zip"), ("a", new byte[600_000]), ("b", new byte[600_000]));

        Assert.Throws<ArchiveLimitException>(() => ZipSourceArchive.Open(zip, new ArchiveLimits { MaxEntryBytes = 1 << 20, MaxTotalBytes = 1 << 20 }));
    }

    [Fact]
    public void OpenEntry_EntryLiesAboutSize_NeverReadsPastLimit()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = WriteZip(Path.Combine(temp.Path, "liar.zip"), ("zeros.dcm", new byte[2 << 20]));
        LieAboutUncompressedSize(zip, 1000);
        using var archive = ZipSourceArchive.Open(zip, new ArchiveLimits { MaxEntryBytes = 1 << 20 });
        var source = Assert.Single(archive.Sources);

        long read = 0;
        var error = Record.Exception(() =>
        {
            using var stream = archive.OpenEntry(source);
            var buffer = new byte[65536];
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                read += n;
            }
        });

        // Either the runtime stops at the declared size or the limit stops the read: never more than the limit.
        Assert.True(error is ArchiveException || (error is null && read <= 1 << 20), $"read {read} bytes, error {error}");
    }

    [Fact]
    public void OpenRead_ReopensArchive_ReturnsWholeInstance()
    {
        using var temp = TestData.CreateTempFolder();
        var spec = new SeriesSpec();
        using var bytes = new MemoryStream();
        Headsup.Dicom.Writing.DicomFileWriter.Write(bytes, spec.Slice(3), TransferSyntax.ExplicitVRLittleEndian);
        var zip = WriteZip(Path.Combine(temp.Path, "one.zip"), ("dir/slice.dcm", bytes.ToArray()));

        ZipEntryDicomSource source;
        using (var archive = ZipSourceArchive.Open(zip))
        {
            source = Assert.Single(archive.Sources);
        }

        var file = source.Open();

        Assert.Equal("dir/slice.dcm", source.Name);
        Assert.Equal(zip + "!dir/slice.dcm", source.Location);
        Assert.True(file.Dataset.TryGetElement(DicomTags.PixelData, out var pixels));
        Assert.Equal(128, pixels.Value.Length);
    }

    /// <summary>Rewrites the uncompressed-size fields of the single entry (local header and central directory).</summary>
    private static void LieAboutUncompressedSize(string zip, uint size)
    {
        var bytes = File.ReadAllBytes(zip);
        for (int i = 0; i + 4 <= bytes.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), size);
            }
        }

        File.WriteAllBytes(zip, bytes);
    }
}
