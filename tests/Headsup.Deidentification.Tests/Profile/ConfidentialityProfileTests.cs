using Headsup.Deidentification.Profile;
using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Dicom;

namespace Headsup.Deidentification.Tests.Profile;

public sealed class ConfidentialityProfileTests
{
    [Fact]
    public void Basic_EmbeddedTable_LoadsEveryRowWithKnownTags()
    {
        var rules = ConfidentialityProfile.Basic.Rules;

        Assert.InRange(rules.Count, 400, 600);
        foreach (var rule in rules.Where(r => r.Pattern.IsExact && r.Pattern.Group is not (0x0000 or 0x0002)))
        {
            Assert.True(DicomDictionary.TryGet(rule.Pattern.Tag, out _), $"{rule.Pattern} {rule.Name} is not in the dictionary");
        }
    }

    [Fact]
    public void Basic_AgreesWithTheTestsOwnTranscription()
    {
        // Two transcriptions of Table E.1-1 made separately: the library's and expected-actions.csv.
        var profile = ConfidentialityProfile.Basic;
        foreach (var row in ExpectedAction.All)
        {
            if (row.Code == "K")
            {
                Assert.False(profile.TryGetRule(row.Tag, out var extra), $"{row.Tag} {row.Name}: not in the table, but the library lists {extra?.Action.Code()}");
            }
            else
            {
                Assert.True(profile.TryGetRule(row.Tag, out var rule), $"{row.Tag} {row.Name}: missing");
                Assert.True(row.Code == rule.Action.Code(), $"{row.Tag} {row.Name}: table says {row.Code}, library has {rule.Action.Code()}");
            }
        }
    }

    [Theory]
    [InlineData(0x6000, 0x3000, true)]
    [InlineData(0x601E, 0x3000, true)]
    [InlineData(0x6000, 0x3001, false)]
    [InlineData(0x6100, 0x3000, false)]
    [InlineData(0x5002, 0x0010, true)]
    public void TryGetRule_RepeatingGroupPatterns_MatchOnlyTheirGroups(int group, int element, bool matches)
    {
        Assert.Equal(matches, ConfidentialityProfile.Basic.TryGetRule(new DicomTag((ushort)group, (ushort)element), out var rule) && rule.Action == ProfileAction.Remove);
    }

    [Fact]
    public void Parse_MalformedLine_ThrowsWithLineNumber()
    {
        var ex = Assert.Throws<FormatException>(() => ConfidentialityProfile.Parse(new StringReader("# c\n(0010,0010),Q,,Patient's Name\n")));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(0010,0010)", "(0010,0010)")]
    [InlineData("(60xx,3000)", "(60xx,3000)")]
    [InlineData("(50XX,XXXX)", "(50xx,xxxx)")]
    public void TagPattern_ParseAndFormat_RoundTrips(string text, string expected)
    {
        Assert.True(TagPattern.TryParse(text, out var pattern));
        Assert.Equal(expected, pattern.ToString());
    }
}
