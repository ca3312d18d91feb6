using Xunit;
using System.Diagnostics;

namespace Headsup.Testing;

/// <summary>Runs reference programs (dcmtk, dicom3tools, Debian's python3) for conformance tests.</summary>
public static class ExternalTool
{
    /// <summary>Debian's python3 (where python3-pydicom, numpy and sklearn are installed by apt).</summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Finds a program on PATH or at an absolute path.</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Skips the test when the program is missing (the README's test command installs it).</summary>
    public static string Require(string name)
    {
        var path = Find(name);
        Skip.If(path is null, $"{name} is not installed (run the README's test command, which installs it): test skipped");
        return path!;
    }

    /// <summary>Runs a program and returns exit code, stdout and stderr; throws on timeout.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
