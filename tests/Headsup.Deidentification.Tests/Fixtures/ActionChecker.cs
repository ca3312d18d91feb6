using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>
/// Checks one attribute of a de-identified file against the action code Table E.1-1 gives it, using only what the
/// code allows (E.1.1), not what this library chose among the allowed choices.
/// </summary>
public static class ActionChecker
{
    /// <summary>Problems found (empty when every listed attribute present in the input was handled as its code allows).</summary>
    public static List<string> Check(IReadOnlyDictionary<DicomTag, DumpedAttribute> input, IReadOnlyDictionary<DicomTag, DumpedAttribute> output, IEnumerable<ExpectedAction> expected)
    {
        var problems = new List<string>();
        foreach (var row in expected)
        {
            if (!input.TryGetValue(row.Tag, out var before))
            {
                continue;
            }

            output.TryGetValue(row.Tag, out var after);
            if (!Allowed(row.Code, before, after))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{row.Tag} {row.Name} ({row.Code}): input \"{Show(before)}\", output {(after is null ? "absent" : $"\"{Show(after)}\"")}"));
            }
        }

        return problems;
    }

    /// <summary>True when <paramref name="after"/> is what <paramref name="code"/> allows for an attribute that was <paramref name="before"/>.</summary>
    public static bool Allowed(string code, DumpedAttribute before, DumpedAttribute? after)
    {
        bool absent = after is null;
        bool empty = after is { IsEmpty: true };
        bool replaced = after is { IsEmpty: false } && (before.Items is not null || after.Value != before.Value);
        return code switch
        {
            "K" => after == before,
            "X" => absent,
            "Z" => empty || replaced,
            "D" => replaced,
            "U" => (before.IsEmpty && empty) || (after is { IsEmpty: false } && after.Value != before.Value && after.Value.Split('\\').All(IsUid)), // an empty UID has nothing to replace
            "Z/D" => empty || replaced,
            "X/Z" => absent || empty || replaced,
            "X/D" => absent || replaced,
            "X/Z/D" => absent || empty || replaced,
            "X/Z/U*" => absent || empty || (after!.Items == before.Items), // the UIDs inside are checked by the UID tests
            _ => throw new ArgumentException("unknown action code " + code, nameof(code)),
        };
    }

    /// <summary>A UID as PS3.5 9.1 writes it: at most 64 characters, digits and dots, no empty or zero-led component.</summary>
    public static bool IsUid(string uid) =>
        uid.Length is > 0 and <= 64 && uid.Split('.').All(c => c.Length > 0 && c.All(char.IsAsciiDigit) && (c.Length == 1 || c[0] != '0'));

    private static string Show(DumpedAttribute a) => a.Items is { } n ? $"{n} item(s)" : a.Value.Length > 40 ? a.Value[..40] + "…" : a.Value;
}
