using System.Text;
using Headsup.Datasets.Loading;

namespace Headsup.Datasets.Tests;

public class CsvReaderTests
{
    private static List<string[]> ReadAll(string text)
    {
        using var csv = new CsvReader(new StringReader(text));
        var fields = new List<string>();
        var rows = new List<string[]>();
        while (csv.TryReadRecord(fields))
        {
            rows.Add([.. fields]);
        }

        return rows;
    }

    [Fact]
    public void Rfc4180_QuotesCommasNewlinesCrlf()
    {
        var rows = ReadAll("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\r\n,,\n last ,1");
        Assert.Equal(4, rows.Count);
        Assert.Equal(["a", "b", "c"], rows[0]);
        Assert.Equal(["x, y", "say \"hi\"", "line1\nline2"], rows[1]);
        Assert.Equal(["", "", ""], rows[2]);
        Assert.Equal([" last ", "1"], rows[3]);
    }

    [Fact]
    public void Bom_IsIgnored()
    {
        var rows = ReadAll("\uFEFFfile,any\nx.png,1\n");
        Assert.Equal("file", rows[0][0]);
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public void UnclosedQuote_Throws()
    {
        Assert.Throws<FormatException>(() => ReadAll("a,\"b\n"));
    }

    [Fact]
    public void Open_Utf8BomFile()
    {
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "x.csv");
        File.WriteAllText(path, "file,any\r\né.png,0\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        using var csv = CsvReader.Open(path);
        var fields = new List<string>();
        Assert.True(csv.TryReadRecord(fields));
        Assert.Equal("file", fields[0]);
        Assert.True(csv.TryReadRecord(fields));
        Assert.Equal("é.png", fields[0]);
        Assert.False(csv.TryReadRecord(fields));
    }
}
