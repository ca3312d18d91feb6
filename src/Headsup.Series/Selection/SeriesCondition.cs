using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Headsup.Series.Sorting;

namespace Headsup.Series.Selection;

/// <summary>
/// One test of a selection rule, loaded from JSON by its <c>kind</c>. <see cref="Check"/> returns null when the
/// series passes, else a sentence saying why not (with the values found).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ValueInCondition), "in")]
[JsonDerivedType(typeof(ValueNotInCondition), "notIn")]
[JsonDerivedType(typeof(PatternCondition), "matches")]
[JsonDerivedType(typeof(AbsentCondition), "absent")]
[JsonDerivedType(typeof(RangeCondition), "range")]
[JsonDerivedType(typeof(OrientationCondition), "orientation")]
[JsonDerivedType(typeof(NoProblemsCondition), "noProblems")]
[JsonDerivedType(typeof(AnyOfCondition), "anyOf")]
[JsonDerivedType(typeof(AllOfCondition), "allOf")]
public abstract class SeriesCondition
{
    /// <summary>The condition's name, reported with every rejection (e.g. "modality-ct").</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Null when the series meets the condition, else why not.</summary>
    public abstract string? Check(SortedSeries series);

    /// <summary>Throws <see cref="SeriesSelectionRuleException"/> when the condition cannot be evaluated.</summary>
    internal virtual void Validate(string source, string rule, bool nested = false)
    {
        if (!nested && string.IsNullOrWhiteSpace(Name))
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\": a condition of kind {GetType().Name} has no name");
        }
    }

    private protected static void RequireText(string source, string rule, string name, SeriesAttribute attribute)
    {
        if (SeriesAttributeValues.IsNumeric(attribute))
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{name}\": {attribute} is numeric; use a range condition");
        }
    }

    private protected static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => "'" + v + "'"));
}

/// <summary>Every value of the attribute is one of <see cref="Values"/> (case-insensitive), e.g. Modality in [CT].</summary>
public sealed class ValueInCondition : SeriesCondition
{
    /// <summary>The attribute (text).</summary>
    public required SeriesAttribute Attribute { get; init; }

    /// <summary>The accepted values.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary>Whether a series without the attribute passes (default false).</summary>
    public bool WhenAbsent { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var found = SeriesAttributeValues.Texts(series, Attribute);
        if (found.Count == 0)
        {
            return WhenAbsent ? null : $"{Attribute} is absent";
        }

        var others = found.Where(v => !Values.Contains(v, StringComparer.OrdinalIgnoreCase)).ToList();
        return others.Count == 0 ? null : $"{Attribute} is {Quote(others)}, not one of {Quote(Values)}";
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        RequireText(source, rule, Name, Attribute);
    }
}

/// <summary>No value of the attribute is one of <see cref="Values"/> (case-insensitive), e.g. Image Type has no LOCALIZER.</summary>
public sealed class ValueNotInCondition : SeriesCondition
{
    /// <summary>The attribute (text).</summary>
    public required SeriesAttribute Attribute { get; init; }

    /// <summary>The refused values.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var bad = SeriesAttributeValues.Texts(series, Attribute).Where(v => Values.Contains(v, StringComparer.OrdinalIgnoreCase)).ToList();
        return bad.Count == 0 ? null : $"{Attribute} has {Quote(bad)}";
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        RequireText(source, rule, Name, Attribute);
    }
}

/// <summary>
/// A value of one of the attributes matches <see cref="Pattern"/> (case-insensitive .NET regular expression), or,
/// with <see cref="Negate"/>, none does.
/// </summary>
public sealed class PatternCondition : SeriesCondition
{
    private Regex? _regex;

    /// <summary>The attributes whose values are tested (text).</summary>
    public required IReadOnlyList<SeriesAttribute> Attributes { get; init; }

    /// <summary>The regular expression.</summary>
    public required string Pattern { get; init; }

    /// <summary>True to require that no value matches.</summary>
    public bool Negate { get; init; }

    /// <summary>Whether a series with none of the attributes passes; defaults to <see cref="Negate"/>.</summary>
    public bool? WhenAbsent { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var regex = _regex ??= Compile(Pattern);
        var values = Attributes.SelectMany(a => SeriesAttributeValues.Texts(series, a).Select(v => (Attribute: a, Value: v))).ToList();
        if (values.Count == 0)
        {
            return WhenAbsent ?? Negate ? null : $"{string.Join(", ", Attributes)} absent";
        }

        var matching = values.Where(v => regex.IsMatch(v.Value)).ToList();
        if (Negate)
        {
            return matching.Count == 0 ? null : string.Join(", ", matching.Select(m => $"{m.Attribute} '{m.Value}'")) + $" matches /{Pattern}/";
        }

        return matching.Count > 0 ? null : $"no value of {string.Join(", ", Attributes)} ({Quote(values.Select(v => v.Value))}) matches /{Pattern}/";
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        if (Attributes.Count == 0)
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": no attributes");
        }

        foreach (var attribute in Attributes)
        {
            RequireText(source, rule, Name, attribute);
        }

        try
        {
            _regex = Compile(Pattern);
        }
        catch (ArgumentException ex)
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": invalid pattern /{Pattern}/: {ex.Message}", ex);
        }
    }

    private static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
}

/// <summary>
/// None of the attributes has a value other than those in <see cref="IgnoreValues"/> (e.g. Contrast/Bolus Agent is
/// empty or "NONE").
/// </summary>
public sealed class AbsentCondition : SeriesCondition
{
    /// <summary>The attributes that must be absent (text).</summary>
    public required IReadOnlyList<SeriesAttribute> Attributes { get; init; }

    /// <summary>Values that count as absent (case-insensitive).</summary>
    public IReadOnlyList<string> IgnoreValues { get; init; } = [];

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var present = Attributes
            .SelectMany(a => SeriesAttributeValues.Texts(series, a).Where(v => !IgnoreValues.Contains(v, StringComparer.OrdinalIgnoreCase)).Select(v => $"{a} is '{v}'"))
            .ToList();
        return present.Count == 0 ? null : string.Join(", ", present);
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        foreach (var attribute in Attributes)
        {
            RequireText(source, rule, Name, attribute);
        }
    }
}

/// <summary>A numeric attribute lies in [<see cref="Min"/>, <see cref="Max"/>] (either bound optional, inclusive).</summary>
public sealed class RangeCondition : SeriesCondition
{
    private const double Epsilon = 1e-6;

    /// <summary>The attribute (numeric).</summary>
    public required SeriesAttribute Attribute { get; init; }

    /// <summary>The lower bound, inclusive.</summary>
    public double? Min { get; init; }

    /// <summary>The upper bound, inclusive.</summary>
    public double? Max { get; init; }

    /// <summary>Whether a series without the value passes (default false).</summary>
    public bool WhenAbsent { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var value = SeriesAttributeValues.Number(series, Attribute);
        if (value is not { } v)
        {
            return WhenAbsent ? null : $"{Attribute} is unknown";
        }

        if (Min is { } min && v < min - Epsilon)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Attribute} is {v:0.###}, below the minimum {min:0.###}");
        }

        if (Max is { } max && v > max + Epsilon)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Attribute} is {v:0.###}, above the maximum {max:0.###}");
        }

        return null;
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        if (!SeriesAttributeValues.IsNumeric(Attribute))
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": {Attribute} is not numeric");
        }

        if (Min is null && Max is null)
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": a range needs min or max");
        }
    }
}

/// <summary>The anatomical plane a slice normal is tested against.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnatomicalPlane>))]
public enum AnatomicalPlane
{
    /// <summary>Normal along patient Z (head–feet).</summary>
    Axial,

    /// <summary>Normal along patient Y (front–back).</summary>
    Coronal,

    /// <summary>Normal along patient X (left–right).</summary>
    Sagittal,
}

/// <summary>The slice normal lies within <see cref="MaxAngleDegrees"/> of the plane's axis (monai's "Axial" orientation test).</summary>
public sealed class OrientationCondition : SeriesCondition
{
    /// <summary>The plane.</summary>
    public AnatomicalPlane Plane { get; init; } = AnatomicalPlane.Axial;

    /// <summary>The largest accepted angle between the normal and the plane's axis (degrees).</summary>
    public double MaxAngleDegrees { get; init; } = 15;

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        if (series.Orientation is not { } orientation)
        {
            return "Image Orientation (Patient) is absent or invalid";
        }

        var axis = Plane switch
        {
            AnatomicalPlane.Axial => new Grouping.Vector3D(0, 0, 1),
            AnatomicalPlane.Coronal => new Grouping.Vector3D(0, 1, 0),
            _ => new Grouping.Vector3D(1, 0, 0),
        };
        double angle = orientation.Normal.LineAngleDegreesTo(axis);
        return angle <= MaxAngleDegrees
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"the slice normal {orientation.Normal} is {angle:0.#}° from the {Plane.ToString().ToLowerInvariant()} axis (limit {MaxAngleDegrees:0.#}°)");
    }
}

/// <summary>The sorter found none of the listed problems (e.g. inconsistent orientation makes a stack unusable).</summary>
public sealed class NoProblemsCondition : SeriesCondition
{
    /// <summary>The problem kinds that reject the series.</summary>
    public required IReadOnlyList<SeriesProblemKind> Problems { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var found = series.Problems.Where(p => Problems.Contains(p.Kind)).ToList();
        return found.Count == 0 ? null : string.Join("; ", found.Select(p => p.ToString()));
    }
}

/// <summary>At least one of the nested conditions holds.</summary>
public sealed class AnyOfCondition : SeriesCondition
{
    /// <summary>The alternatives.</summary>
    public required IReadOnlyList<SeriesCondition> Conditions { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var reasons = new List<string>(Conditions.Count);
        foreach (var condition in Conditions)
        {
            var reason = condition.Check(series);
            if (reason is null)
            {
                return null;
            }

            reasons.Add(reason);
        }

        return "none of: " + string.Join("; ", reasons);
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        if (Conditions.Count == 0)
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": anyOf needs at least one condition");
        }

        foreach (var condition in Conditions)
        {
            condition.Validate(source, rule, nested: true);
        }
    }
}

/// <summary>Every nested condition holds (useful inside <see cref="AnyOfCondition"/>).</summary>
public sealed class AllOfCondition : SeriesCondition
{
    /// <summary>The conditions.</summary>
    public required IReadOnlyList<SeriesCondition> Conditions { get; init; }

    /// <inheritdoc/>
    public override string? Check(SortedSeries series)
    {
        var reasons = Conditions.Select(c => c.Check(series)).OfType<string>().ToList();
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    internal override void Validate(string source, string rule, bool nested = false)
    {
        base.Validate(source, rule, nested);
        if (Conditions.Count == 0)
        {
            throw new SeriesSelectionRuleException(source, $"rule \"{rule}\", condition \"{Name}\": allOf needs at least one condition");
        }

        foreach (var condition in Conditions)
        {
            condition.Validate(source, rule, nested: true);
        }
    }
}
