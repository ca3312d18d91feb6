using System.Globalization;

namespace Headsup.Deidentification.Cleaning;

/// <summary>
/// Moves DA and DT values back by whole days. Only the date part changes: the time of day, fraction and UTC offset of
/// a DT are kept, and TM values are not touched. A value that is not a full date (YYYYMMDD, or YYYY.MM.DD from ACR-NEMA;
/// a DT with only a year or month) cannot be shifted exactly and gets <see cref="DummyValues.Date"/> instead.
/// </summary>
public static class DateShifter
{
    /// <summary>Shifts each backslash-separated DA value (a range "A-B" shifts both ends).</summary>
    public static string ShiftDate(string value, int days) => Join(value, v => ShiftDateRange(v, days));

    /// <summary>Shifts each backslash-separated DT value.</summary>
    public static string ShiftDateTime(string value, int days) => Join(value, v => ShiftOneDateTime(v, days));

    private static string Join(string value, Func<string, string> shift)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Join('\\', value.TrimEnd('\0', ' ').Split('\\').Select(v => v.Trim()).Select(v => v.Length == 0 ? v : shift(v)));
    }

    private static string ShiftDateRange(string value, int days)
    {
        int dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return ShiftOneDate(value, days);
        }

        var from = value[..dash];
        var to = value[(dash + 1)..];
        return (from.Length == 0 ? string.Empty : ShiftOneDate(from, days)) + "-" + (to.Length == 0 ? string.Empty : ShiftOneDate(to, days));
    }

    private static string ShiftOneDate(string value, int days)
    {
        var digits = value.Length == 10 && value[4] == '.' && value[7] == '.' ? value.Replace(".", string.Empty, StringComparison.Ordinal) : value;
        return TryShift(digits, days, out var shifted) ? shifted : DummyValues.Date;
    }

    private static string ShiftOneDateTime(string value, int days)
    {
        // DT is YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]; the '-' of a negative UTC offset is not a range separator.
        if (value.Length >= 8 && TryShift(value[..8], days, out var shifted))
        {
            return shifted + value[8..];
        }

        return DummyValues.DateTime;
    }

    private static bool TryShift(string yyyymmdd, int days, out string shifted)
    {
        shifted = string.Empty;
        if (yyyymmdd.Length != 8 || !DateOnly.TryParseExact(yyyymmdd, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || date.DayNumber - days < DateOnly.MinValue.DayNumber)
        {
            return false;
        }

        shifted = date.AddDays(-days).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return true;
    }
}
