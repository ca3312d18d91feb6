using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Headsup.Dicom.Codecs;

namespace Headsup.Cli;

/// <summary>
/// `headsup --version`: the version, then one line per codec saying whether it is available here and, if not, why and
/// which Debian package provides it (a build or machine without GDCM cannot read JPEG Lossless).
/// </summary>
internal sealed class VersionReport : SynchronousCommandLineAction
{
    /// <summary>Replaces the root command's default --version action with this report.</summary>
    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionReport();
        }
    }

    /// <summary>One line per codec, as printed by --version and inspect.</summary>
    public static IEnumerable<string> CodecLines(IEnumerable<CodecStatus> statuses) =>
        statuses.Select(s => s.Available
            ? $"  {s.Codec}: available ({s.Detail}) — {s.TransferSyntaxes}"
            : $"  {s.Codec}: MISSING ({s.Detail}; `apt-get install {s.Package}`) — {s.TransferSyntaxes} cannot be read");

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        var assembly = typeof(VersionReport).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        Console.WriteLine($"headsup {version}");
        Console.WriteLine("codecs:");
        foreach (var line in CodecLines(CodecRegistry.ProbeAvailability()))
        {
            Console.WriteLine(line);
        }

        return ExitCodes.Ok;
    }
}
