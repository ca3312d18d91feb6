using Headsup.Testing;
using Xunit;

namespace Headsup.Reporting.Tests;

/// <summary>Runs dciodvfy and sorts its findings into errors, warnings and the ones accepted (with reasons).</summary>
internal static class DicomToolChecks
{
    /// <summary>
    /// Warnings accepted on outputs of real sources, each caused by the source and copied on purpose (the study context
    /// must be the source's): empty Study Date / Study Time / Study ID (de-identified sources keep them empty, Type 2) and
    /// the CQ500 patient name written without a caret (dciodvfy calls it a "Retired Person Name form").
    /// </summary>
    public static readonly string[] InheritedWarnings =
    [
        "Missing attribute or value that would be needed to build DICOMDIR - Study Date",
        "Missing attribute or value that would be needed to build DICOMDIR - Study Time",
        "Missing attribute or value that would be needed to build DICOMDIR - Study ID",
        "Retired Person Name form",
    ];

    /// <summary>The whole dciodvfy report of a file.</summary>
    public static string Dciodvfy(string path)
    {
        var program = ExternalTool.Require("dciodvfy");
        var (_, stdout, stderr) = ExternalTool.Run(program, [path]);
        return stdout + stderr;
    }

    /// <summary>Lines starting with the given severity ("Error" or "Warning").</summary>
    public static List<string> Lines(string report, string severity) =>
        report.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith(severity, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Errors not explained by the source: an error is inherited when it quotes one of the source's own UID values (the
    /// RSNA challenge files carry UIDs such as "ID_515961ad20", which the outputs must keep as Study Instance UID and
    /// reference as the source slice), or is dciodvfy's summary line for those bad values.
    /// </summary>
    public static List<string> UnexplainedErrors(string report, IReadOnlyCollection<string> sourceUids) =>
        Lines(report, "Error")
            .Where(l => !sourceUids.Any(uid => !Headsup.Reporting.Tests.UidSyntax.IsValid(uid) && (l.Contains($"<{uid}>", StringComparison.Ordinal) || l.Contains($"\"{uid}\"", StringComparison.Ordinal))))
            .Where(l => !(l == "Error - Dicom dataset contains invalid data values for Value Representations" && sourceUids.Any(uid => !UidSyntax.IsValid(uid))))
            .ToList();

    /// <summary>Warnings not in <see cref="InheritedWarnings"/>.</summary>
    public static List<string> UnexplainedWarnings(string report) =>
        Lines(report, "Warning").Where(l => !InheritedWarnings.Any(w => l.Contains(w, StringComparison.Ordinal))).ToList();
}

/// <summary>UID syntax (PS3.5 9.1), written independently of the code under test.</summary>
internal static class UidSyntax
{
    public static bool IsValid(string uid) =>
        uid.Length is > 0 and <= 64 && uid.Split('.').All(c => c.Length > 0 && c.All(char.IsAsciiDigit) && (c.Length == 1 || c[0] != '0'));
}
