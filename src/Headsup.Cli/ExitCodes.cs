namespace Headsup.Cli;

/// <summary>
/// The documented exit codes, the same for every command. <see cref="Program.ExitCodeFor"/> is the one place that maps
/// exceptions to them:
/// <list type="bullet">
/// <item>usage errors (<c>UsageException</c>, or options the parser rejects) → <see cref="UsageError"/>;</item>
/// <item>a missing or unlistable input path (<c>ScanInputException</c>), a folder or archive without any DICOM study
/// (<c>NoDicomFoundException</c>), a model, rules file or data set that cannot be used, an output that cannot be
/// written (<c>IOException</c>, <c>UnauthorizedAccessException</c>) → <see cref="CouldNotRun"/>;</item>
/// <item>a single input (file, archive, slice) that cannot be read or used — any other <c>DicomException</c>
/// (parse, pixel data, codec, missing codec), <c>SliceImageException</c>, <c>InputRecipeException</c> →
/// <see cref="SomeInputsFailed"/>;</item>
/// <item>anything else is a bug: one line "error: internal error: &lt;type&gt;: &lt;message&gt;" and
/// <see cref="CouldNotRun"/>, never an unhandled-exception crash.</item>
/// </list>
/// Commands that process many inputs report each failed one (file and reason), process the rest and return
/// <see cref="SomeInputsFailed"/>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Everything succeeded.</summary>
    public const int Ok = 0;

    /// <summary>
    /// Some inputs failed (each reported with its file and reason); the rest were processed. A single input that cannot
    /// be read is a failed input too.
    /// </summary>
    public const int SomeInputsFailed = 1;

    /// <summary>The command line was wrong: an unknown option or value, or a bad combination of options.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// The command could not run at all: the input path does not exist, no DICOM was found, the output folder cannot be
    /// written, the model cannot be loaded — or an internal error.
    /// </summary>
    public const int CouldNotRun = 3;

    /// <summary>Cancelled (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
