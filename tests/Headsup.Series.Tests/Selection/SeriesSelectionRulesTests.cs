using Headsup.Series.Grouping;
using Headsup.Series.Selection;
using Xunit;

namespace Headsup.Series.Tests.Selection;

public class SeriesSelectionRulesTests
{
    [Fact]
    public void Default_Loads_FourRulesWithResolvedConditions()
    {
        var rules = SeriesSelectionRules.Default;

        Assert.Equal(["axial-head-ct-standard-soft-kernel", "axial-head-ct-standard", "axial-head-ct-not-sharp", "axial-head-ct"], rules.Select(r => r.Name));
        Assert.All(rules, r => Assert.Null(r.Extends));
        Assert.Equal("modality-ct", rules[0].Conditions[0].Name);
        Assert.Contains(rules[1].Conditions, c => c.Name == "not-sharp-kernel");
    }

    [Fact]
    public void Parse_BareArrayWithCustomRule_SelectsByIt()
    {
        const string json = """
            [ { "name": "any-ct", "conditions": [
                { "kind": "in", "name": "ct", "attribute": "Modality", "values": ["ct"] },
                { "kind": "range", "name": "thin", "attribute": "SliceThicknessMm", "max": 1.0 } ] } ]
            """;
        var rules = SeriesSelectionRules.Parse(json);
        var spec = new SeriesSpec { SliceThicknessMm = 0.5 };
        var study = StudyGrouper.Group(spec.ToSeries().Instances).Single();

        var selection = new SeriesSelector(rules).Select(study);

        Assert.Equal("any-ct", selection.SelectedByRule);
    }

    [Theory]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "nope", "name": "x" } ] } ]""", "invalid")]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "in", "name": "x", "attribute": "Modality", "values": ["CT"], "typo": 1 } ] } ]""", "invalid JSON")]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "in", "name": "x", "attribute": "Colour", "values": ["CT"] } ] } ]""", "invalid JSON")]
    [InlineData("""[ { "name": "r", "extends": "missing", "conditions": [] } ]""", "extends unknown rule")]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "matches", "name": "x", "attributes": ["SeriesDescription"], "pattern": "(" } ] } ]""", "invalid pattern")]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "in", "name": "x", "attribute": "SliceCount", "values": ["1"] } ] } ]""", "numeric")]
    [InlineData("""[ { "name": "r", "conditions": [ { "kind": "in", "attribute": "Modality", "values": ["CT"] } ] } ]""", "has no name")]
    [InlineData("""[ { "name": "a", "extends": "b", "conditions": [] }, { "name": "b", "extends": "a", "conditions": [] } ]""", "extends itself")]
    [InlineData("""{ "rules": [] }""", "selections")]
    public void Parse_InvalidRules_ThrowsRuleExceptionNamingProblem(string json, string expected)
    {
        var error = Assert.Throws<SeriesSelectionRuleException>(() => SeriesSelectionRules.Parse(json, "test.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.json:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsRuleException()
    {
        Assert.Throws<SeriesSelectionRuleException>(() => SeriesSelectionRules.Load("/nonexistent/rules.json"));
    }
}
