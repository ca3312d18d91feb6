using System.Globalization;

namespace Headsup.Reporting;

/// <summary>Checks and formats values for the VRs the builders write (LO, UI, DA, TM, DT).</summary>
internal static class DicomText
{
    /// <summary>Maximum length of a UI value and of an LO value (PS3.5 6.2).</summary>
    public const int MaxUidLength = 64;

    /// <summary>Maximum length of an LO value in characters.</summary>
    public const int MaxLongStringLength = 64;

    /// <summary>Returns the value when it is a valid LO: at most 64 characters, no backslash or control character.</summary>
    public static string RequireLongString(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length > MaxLongStringLength)
        {
            throw new ArgumentException($"{name} is {value.Length} characters long; at most {MaxLongStringLength} fit a DICOM LO value: \"{value}\"", name);
        }

        if (value.Any(c => c == '\\' || char.IsControl(c)))
        {
            throw new ArgumentException($"{name} must not contain a backslash or control character: \"{value}\"", name);
        }

        return value;
    }

    /// <summary>
    /// Returns a UID copied from elsewhere when it is 1 to 64 characters without backslash. Its syntax is not checked:
    /// some real archives (the RSNA challenge data) carry non-conformant UIDs that a report must still reference.
    /// </summary>
    public static string RequireUidValue(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        var trimmed = value.Trim(' ', '\0');
        if (trimmed.Length is 0 or > MaxUidLength || trimmed.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} must be 1 to {MaxUidLength} characters without backslash; got \"{value}\"", name);
        }

        return trimmed;
    }

    /// <summary>Returns a UID this software creates when it follows PS3.5 9.1: digits and dots, no leading zeros, at most 64 characters.</summary>
    public static string RequireNewUid(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (!IsValidUid(value))
        {
            throw new ArgumentException($"{name} is not a valid DICOM UID (digits and dots, no leading zeros, at most {MaxUidLength} characters): \"{value}\"", name);
        }

        return value;
    }

    /// <summary>True for a syntactically valid UID (PS3.5 9.1).</summary>
    public static bool IsValidUid(string value)
    {
        if (value.Length is 0 or > MaxUidLength)
        {
            return false;
        }

        foreach (var component in value.Split('.'))
        {
            if (component.Length == 0 || !component.All(char.IsAsciiDigit) || (component.Length > 1 && component[0] == '0'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>DA value (YYYYMMDD).</summary>
    public static string Date(DateTime value) => value.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>TM value (HHMMSS.FFFFFF).</summary>
    public static string Time(DateTime value) => value.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>DT value (YYYYMMDDHHMMSS.FFFFFF), with the UTC offset when the time is UTC or local.</summary>
    public static string DateTimeValue(DateTime value)
    {
        var text = value.ToString("yyyyMMddHHmmss.ffffff", CultureInfo.InvariantCulture);
        if (value.Kind == DateTimeKind.Unspecified)
        {
            return text;
        }

        var offset = value.Kind == DateTimeKind.Utc ? TimeSpan.Zero : TimeZoneInfo.Local.GetUtcOffset(value);
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{text}{sign}{abs.Hours:00}{abs.Minutes:00}");
    }

    /// <summary>A number for a DS value (at most 16 characters).</summary>
    public static string Decimal(double value) => Headsup.Dicom.DicomDataset.FormatDecimalString(value);
}
