using System.Globalization;
using System.Text;

namespace Headsup.Evaluation.Reports;

/// <summary>
/// predictions.csv: header <c>file,label,probability</c>, then <c>&lt;subtype&gt;_probability</c> columns and, when
/// subtype labels are known, <c>&lt;subtype&gt;_label</c> columns, then, when rows have groups, the group column (named
/// by <see cref="EvaluationReportOptions.GroupedBy"/>; empty for a row in no group). Invariant culture, round-trip
/// numbers, RFC 4180 quoting.
/// </summary>
internal static class PredictionsCsv
{
    public static byte[] Write(IReadOnlyList<EvaluationRow> rows, IReadOnlyList<string> subtypeNames, string? groupColumn = null)
    {
        var withLabels = subtypeNames.Count > 0 && rows.Count > 0 && rows[0].SubtypeLabels is not null;
        var text = new StringBuilder();
        text.Append("file,label,probability");
        foreach (var name in subtypeNames)
        {
            text.Append(',').Append(Escape(name + "_probability"));
        }

        if (withLabels)
        {
            foreach (var name in subtypeNames)
            {
                text.Append(',').Append(Escape(name + "_label"));
            }
        }

        if (groupColumn is not null)
        {
            text.Append(',').Append(Escape(groupColumn));
        }

        text.Append('\n');
        foreach (var row in rows)
        {
            text.Append(Escape(row.Id)).Append(',')
                .Append(row.Label.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Probability.ToString("R", CultureInfo.InvariantCulture));
            if (subtypeNames.Count > 0)
            {
                foreach (var p in row.SubtypeProbabilities!)
                {
                    text.Append(',').Append(p.ToString("R", CultureInfo.InvariantCulture));
                }

                if (withLabels)
                {
                    foreach (var l in row.SubtypeLabels!)
                    {
                        text.Append(',').Append(l.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            if (groupColumn is not null)
            {
                text.Append(',').Append(Escape(row.Group ?? string.Empty));
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Quotes a field containing a comma, quote or line break, doubling inner quotes.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
