using System.Globalization;

namespace Headsup.Cli.Learning;

/// <summary>Parses budgets such as "90s", "20m", "1.5h" or "01:30:00".</summary>
internal static class DurationParser
{
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && text.Contains(':', StringComparison.Ordinal))
        {
            return Positive(span, text);
        }

        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return text[^1] switch
            {
                's' => Positive(TimeSpan.FromSeconds(value), text),
                'm' => Positive(TimeSpan.FromMinutes(value), text),
                'h' => Positive(TimeSpan.FromHours(value), text),
                _ => throw new UsageException($"budget '{text}': use a number with s, m or h (e.g. 90s, 20m, 1.5h)"),
            };
        }

        throw new UsageException($"budget '{text}': use a number with s, m or h (e.g. 90s, 20m, 1.5h)");
    }

    private static TimeSpan Positive(TimeSpan span, string text) =>
        span > TimeSpan.Zero && span < TimeSpan.FromDays(30) ? span : throw new UsageException($"budget '{text}' must be positive and under 30 days");
}
