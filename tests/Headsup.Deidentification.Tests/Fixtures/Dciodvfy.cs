using System.Text.RegularExpressions;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>dciodvfy (Debian dicom3tools) as the independent judge of IOD conformance.</summary>
public static partial class Dciodvfy
{
    /// <summary>The error lines dciodvfy reports for a file, with quoted values blanked (they differ before and after de-identification).</summary>
    public static List<string> Errors(string path)
    {
        var dciodvfy = ExternalTool.Require("/usr/bin/dciodvfy");
        var (_, stdout, stderr) = ExternalTool.Run(dciodvfy, [path]);
        return (stdout + "\n" + stderr).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("Error", StringComparison.Ordinal))
            .Select(l => Values().Replace(l, "<value>"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Errors in the output that the input did not have.</summary>
    public static List<string> NewErrors(string input, string output) => Errors(output).Except(Errors(input), StringComparer.Ordinal).ToList();

    /// <summary>Values quoted in a message: "= &lt;value&gt;", "value", 'c' (0xNN) and &lt;UID&gt; (attribute names in &lt;&gt; are kept).</summary>
    [GeneratedRegex(@"= <[^<>]*>|""[^""]*""|'[^']*' \(0x[0-9a-fA-F]{2}\)|<[0-9.]+>")]
    private static partial Regex Values();
}
