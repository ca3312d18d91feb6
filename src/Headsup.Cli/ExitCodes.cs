namespace Headsup.Cli;

/// <summary>The documented exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Ok = 0;

    /// <summary>Some inputs failed (each reported); the rest were processed.</summary>
    public const int SomeInputsFailed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int UsageError = 2;

    /// <summary>The command could not run at all (e.g. the output folder cannot be written).</summary>
    public const int CouldNotRun = 3;
}
