using System.Text;
using Headsup.Deidentification.Keys;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Keys;

public sealed class DeidentificationKeyTests
{
    [Fact]
    public void Load_TextLineWithLineBreak_KeyIsTheTrimmedLine()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "key.txt");
        File.WriteAllText(path, "  correct horse battery staple 42 \r\n");

        Assert.Equal(Encoding.UTF8.GetBytes("correct horse battery staple 42"), DeidentificationKey.Load(path));
    }

    [Fact]
    public void Load_BinaryFile_KeyIsTheRawBytes()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "key.bin");
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, bytes);

        Assert.Equal(bytes, DeidentificationKey.Load(path));
    }

    [Fact]
    public void Load_ShortOrMissingOrTwoLines_ThrowsNamingTheFile()
    {
        using var temp = TestData.CreateTempFolder();
        var shortKey = Path.Combine(temp.Path, "short.txt");
        File.WriteAllText(shortKey, "abc\n");
        var twoLines = Path.Combine(temp.Path, "two.txt");
        File.WriteAllText(twoLines, "line one is long enough\nline two\n");

        Assert.Contains("short.txt: the key has 3 byte(s)", Assert.Throws<DeidentificationKeyException>(() => DeidentificationKey.Load(shortKey)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<DeidentificationKeyException>(() => DeidentificationKey.Load(Path.Combine(temp.Path, "none"))).Message, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(twoLines), DeidentificationKey.Load(twoLines)); // not one line: raw bytes
    }

    [Fact]
    public void Generate_NewFile_OwnerOnlyAndReadsBackAsTheSameKey()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "sub", "deid.key");

        var key = DeidentificationKey.Generate(path);

        Assert.Equal(64, key.Length);
        Assert.Equal(key, DeidentificationKey.Load(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Throws<IOException>(() => DeidentificationKey.Generate(path));
        Assert.NotEqual(key, DeidentificationKey.Generate(Path.Combine(temp.Path, "other.key")));
    }

    [Fact]
    public void FromText_EnvironmentValue_TrimmedUtf8OrTooShort()
    {
        Assert.Equal(Encoding.UTF8.GetBytes("a-long-enough-site-secret"), DeidentificationKey.FromText(" a-long-enough-site-secret\n", "HEADSUP_DEID_KEY"));
        Assert.StartsWith("HEADSUP_DEID_KEY: ", Assert.Throws<DeidentificationKeyException>(() => DeidentificationKey.FromText("short", "HEADSUP_DEID_KEY")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentifierMapper_ShortKey_Refused()
    {
        Assert.Throws<ArgumentException>(() => new IdentifierMapper(new byte[8]));
    }

    [Fact]
    public void IdentifierMapper_Uids_Version8UuidUnder225AndPaddingIgnored()
    {
        var mapper = new IdentifierMapper(Encoding.ASCII.GetBytes("0123456789abcdef"));
        var uid = mapper.MapUid("1.2.3.4");

        Assert.Equal(uid, mapper.MapUid("1.2.3.4\0"));
        Assert.NotEqual(uid, mapper.MapUid("1.2.3.5"));
        Assert.StartsWith("2.25.", uid, StringComparison.Ordinal);
        Assert.InRange(uid.Length, 10, 44);
        var value = System.Numerics.BigInteger.Parse(uid[5..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[16];
        bytes.CopyTo(padded, 16 - bytes.Length);
        Assert.Equal(0x80, padded[6] & 0xF0); // version 8
        Assert.Equal(0x80, padded[8] & 0xC0); // RFC 9562 variant
    }
}
