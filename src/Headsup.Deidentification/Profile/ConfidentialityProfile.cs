using Headsup.Dicom;
using System.Globalization;

namespace Headsup.Deidentification.Profile;

/// <summary>
/// The attribute table of an Application Level Confidentiality Profile: what to do with each attribute the table lists.
/// <see cref="Basic"/> is PS3.15 Table E.1-1's Basic Profile column (with the Modified Dates option column), loaded once
/// from the embedded <c>basic-profile.csv</c>.
/// </summary>
public sealed class ConfidentialityProfile
{
    private const string BasicResource = "Headsup.Deidentification.Profile.basic-profile.csv";
    private static readonly Lazy<ConfidentialityProfile> s_basic = new(() => LoadEmbedded(BasicResource));
    private readonly Dictionary<DicomTag, ProfileRule> _exact;
    private readonly ProfileRule[] _patterns;

    /// <summary>Creates a profile from its rows.</summary>
    /// <exception cref="ArgumentException">Two rows name the same exact tag.</exception>
    public ConfidentialityProfile(IEnumerable<ProfileRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rules = rules.ToArray();
        _exact = new Dictionary<DicomTag, ProfileRule>();
        foreach (var rule in Rules.Where(r => r.Pattern.IsExact))
        {
            if (!_exact.TryAdd(rule.Pattern.Tag, rule))
            {
                throw new ArgumentException($"{rule.Pattern} is listed twice", nameof(rules));
            }
        }

        _patterns = Rules.Where(r => !r.Pattern.IsExact).ToArray();
    }

    /// <summary>The Basic Application Level Confidentiality Profile (PS3.15 Table E.1-1).</summary>
    public static ConfidentialityProfile Basic => s_basic.Value;

    /// <summary>The rows, in table order.</summary>
    public IReadOnlyList<ProfileRule> Rules { get; }

    /// <summary>The row for <paramref name="tag"/>: its exact row, else the first pattern that matches.</summary>
    public bool TryGetRule(DicomTag tag, out ProfileRule rule)
    {
        if (_exact.TryGetValue(tag, out var exact))
        {
            rule = exact;
            return true;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.Pattern.Matches(tag))
            {
                rule = pattern;
                return true;
            }
        }

        rule = null!;
        return false;
    }

    /// <summary>
    /// Parses the table's CSV form: <c>(gggg,eeee),action,modified_dates,name</c> per line, <c>#</c> comments.
    /// </summary>
    /// <exception cref="FormatException">A line is malformed (the message gives its number).</exception>
    public static ConfidentialityProfile Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rules = new List<ProfileRule>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(',', 5);
            if (parts.Length != 5 || !TagPattern.TryParse(parts[0] + "," + parts[1], out var pattern)
                || !ProfileActionCodes.TryParse(parts[2], out var action) || parts[3] is not ("" or "C"))
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"profile table line {number} is not \"(gggg,eeee),action,C or empty,name\": {line}"));
            }

            rules.Add(new ProfileRule(pattern, action, parts[3] == "C", parts[4].Trim()));
        }

        return new ConfidentialityProfile(rules);
    }

    private static ConfidentialityProfile LoadEmbedded(string name)
    {
        using var stream = typeof(ConfidentialityProfile).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded profile table {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
