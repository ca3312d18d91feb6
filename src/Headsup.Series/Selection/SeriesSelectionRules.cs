using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headsup.Series.Selection;

/// <summary>
/// Loads selection rules from JSON: <c>{ "selections": [ { "name": …, "extends": …, "conditions": [ { "kind": …,
/// "name": …, … } ] } ] }</c> or a bare array of rules. Unknown properties, kinds and attributes are errors, and
/// <c>extends</c> is resolved so every returned rule holds its full condition list.
/// </summary>
public static class SeriesSelectionRules
{
    private const string DefaultResourceName = "Headsup.Series.Selection.default-selection-rules.json";

    private static readonly JsonSerializerOptions s_jsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        AllowOutOfOrderMetadataProperties = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly Lazy<IReadOnlyList<SeriesSelectionRule>> s_default = new(LoadDefault);

    /// <summary>
    /// The built-in rules for axial non-contrast head CT, most preferred first: standard thickness (2.5–5 mm) with a
    /// soft-tissue/brain kernel; standard thickness without a sharp kernel; any thickness without a sharp kernel; any
    /// axial head CT. See Selection/default-selection-rules.json.
    /// </summary>
    public static IReadOnlyList<SeriesSelectionRule> Default => s_default.Value;

    /// <summary>The built-in rules as JSON text (a starting point for custom rule files).</summary>
    public static string DefaultJson
    {
        get
        {
            using var stream = typeof(SeriesSelectionRules).Assembly.GetManifestResourceStream(DefaultResourceName)
                ?? throw new InvalidOperationException("embedded resource " + DefaultResourceName + " is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Loads rules from a file.</summary>
    /// <exception cref="SeriesSelectionRuleException">The file cannot be read or the rules are invalid.</exception>
    public static IReadOnlyList<SeriesSelectionRule> Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SeriesSelectionRuleException(path, "cannot read the file: " + ex.Message, ex);
        }

        return Parse(json, path);
    }

    /// <summary>Parses rules from JSON text.</summary>
    /// <exception cref="SeriesSelectionRuleException">The JSON is malformed or the rules are invalid.</exception>
    public static IReadOnlyList<SeriesSelectionRule> Parse(string json, string source = "<json>")
    {
        ArgumentNullException.ThrowIfNull(json);
        List<SeriesSelectionRule>? rules;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.EnumerateObject().Count() != 1 || !root.TryGetProperty("selections", out var selections))
                {
                    throw new SeriesSelectionRuleException(source, "the root object must hold exactly one property, \"selections\"");
                }

                root = selections;
            }

            rules = root.Deserialize<List<SeriesSelectionRule>>(s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw new SeriesSelectionRuleException(source, "invalid JSON: " + ex.Message, ex);
        }
        catch (NotSupportedException ex)
        {
            throw new SeriesSelectionRuleException(source, "invalid rule: " + ex.Message, ex);
        }

        if (rules is null || rules.Count == 0)
        {
            throw new SeriesSelectionRuleException(source, "no rules");
        }

        return Resolve(rules, source);
    }

    private static List<SeriesSelectionRule> Resolve(List<SeriesSelectionRule> rules, string source)
    {
        var byName = new Dictionary<string, SeriesSelectionRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule is null || string.IsNullOrWhiteSpace(rule.Name))
            {
                throw new SeriesSelectionRuleException(source, "every rule needs a name");
            }

            if (!byName.TryAdd(rule.Name, rule))
            {
                throw new SeriesSelectionRuleException(source, $"rule name \"{rule.Name}\" is used twice");
            }
        }

        var resolved = new List<SeriesSelectionRule>(rules.Count);
        foreach (var rule in rules)
        {
            var conditions = new List<SeriesCondition>();
            var seen = new HashSet<string>(StringComparer.Ordinal) { rule.Name };
            var chain = new List<SeriesSelectionRule> { rule };
            var current = rule;
            while (current.Extends is { } parentName)
            {
                if (!byName.TryGetValue(parentName, out var parent))
                {
                    throw new SeriesSelectionRuleException(source, $"rule \"{current.Name}\" extends unknown rule \"{parentName}\"");
                }

                if (!seen.Add(parentName))
                {
                    throw new SeriesSelectionRuleException(source, $"rule \"{rule.Name}\" extends itself through \"{parentName}\"");
                }

                chain.Add(parent);
                current = parent;
            }

            for (int i = chain.Count - 1; i >= 0; i--)
            {
                conditions.AddRange(chain[i].Conditions ?? []);
            }

            if (conditions.Count == 0)
            {
                throw new SeriesSelectionRuleException(source, $"rule \"{rule.Name}\" has no conditions");
            }

            foreach (var condition in conditions)
            {
                if (condition is null)
                {
                    throw new SeriesSelectionRuleException(source, $"rule \"{rule.Name}\" has a null condition");
                }

                condition.Validate(source, rule.Name);
            }

            var names = conditions.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (names is not null)
            {
                throw new SeriesSelectionRuleException(source, $"rule \"{rule.Name}\" has two conditions named \"{names.Key}\"");
            }

            resolved.Add(rule with { Extends = null, Conditions = conditions });
        }

        return resolved;
    }

    private static IReadOnlyList<SeriesSelectionRule> LoadDefault() => Parse(DefaultJson, "built-in default-selection-rules.json");
}
