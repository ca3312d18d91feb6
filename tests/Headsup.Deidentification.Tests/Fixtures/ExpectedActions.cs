using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>One row of expected-actions.csv: a tag, the action code Table E.1-1 gives it (K when the table does not list it) and its name.</summary>
public sealed record ExpectedAction(DicomTag Tag, string Code, string Name)
{
    /// <summary>The rows of Fixtures/expected-actions.csv (copied beside the test assembly).</summary>
    public static IReadOnlyList<ExpectedAction> All { get; } = Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "expected-actions.csv"));

    private static List<ExpectedAction> Load(string path)
    {
        var rows = new List<ExpectedAction>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(',', 4);
            var group = ushort.Parse(parts[0].TrimStart('('), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var element = ushort.Parse(parts[1].TrimEnd(')'), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            rows.Add(new ExpectedAction(new DicomTag(group, element), parts[2], parts[3]));
        }

        return rows;
    }
}
