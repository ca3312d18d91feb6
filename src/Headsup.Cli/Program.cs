using Headsup.Inputs;
using System.CommandLine;
using Headsup.Cli.Commands;
using Headsup.Datasets;
using Headsup.Dicom;
using Headsup.Evaluation.Reports;
using Headsup.Models;
using Headsup.Series;
using Headsup.Series.Selection;

namespace Headsup.Cli;

/// <summary>
/// `headsup`: one tool, one class per verb (Commands/). Exit codes: see <see cref="ExitCodes"/>; this class is the one
/// place that turns an exception into an exit code (<see cref="ExitCodeFor"/>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("HEADS UP: intracranial hemorrhage detection on head CT. Research software, NOT FOR CLINICAL USE.")
        {
            InspectCommand.Create(),
            PreprocessCommand.Create(),
            PhantomCommand.Create(),
            DatasetCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            AutoMlCommand.Create(),
            ExperimentsCommand.Create(),
            DetectCommand.Create(),
            ExplainCommand.Create(),
            LesionCheckCommand.Create(),
            CalibrateStudyCommand.Create(),
            InputProfileCommand.Create(),
            ServeCommand.Create(),
            FeedbackCommand.Create(),
            DeidentifyCommand.Create(),
        };
        VersionReport.Install(root);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'headsup --help' for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = args is ["serve", ..] ? null : TimeSpan.FromSeconds(2) }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            int code = ExitCodeFor(ex);
            await Console.Error.WriteLineAsync(MessageFor(ex, code)).ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>
    /// The one mapping from exceptions to exit codes (documented on <see cref="ExitCodes"/> and in the README).
    /// Commands let these propagate; each library throws the typed exception that says what went wrong.
    /// </summary>
    internal static int ExitCodeFor(Exception exception) => Unwrap(exception) switch
    {
        UsageException => ExitCodes.UsageError,
        OperationCanceledException => ExitCodes.Cancelled,

        // The tool could not run: the input path is missing or cannot be listed, nothing to work on, a model or a
        // configuration file cannot be used, an output cannot be written.
        ScanInputException or NoDicomFoundException or SeriesSelectionRuleException => ExitCodes.CouldNotRun,
        Headsup.Service.Data.ServiceConfigurationException => ExitCodes.CouldNotRun,
        Headsup.Deidentification.Keys.DeidentificationKeyException => ExitCodes.CouldNotRun,
        ModelException or EvaluationOutputException => ExitCodes.CouldNotRun,
        IOException or UnauthorizedAccessException => ExitCodes.CouldNotRun,

        // The input (a single file, archive or slice) could not be read or used: a failed input.
        DicomException => ExitCodes.SomeInputsFailed,
        InputException => ExitCodes.SomeInputsFailed,
        DatasetException => ExitCodes.CouldNotRun,

        _ => ExitCodes.CouldNotRun,
    };

    /// <summary>The one line printed for an exception that ended a command.</summary>
    internal static string MessageFor(Exception exception, int exitCode)
    {
        var ex = Unwrap(exception);
        var text = ex.Message.ReplaceLineEndings(" ").Trim();
        return ex switch
        {
            OperationCanceledException => "cancelled",
            UsageException or DicomException or InputException or DatasetException or ModelException or EvaluationOutputException or Headsup.Service.Data.ServiceConfigurationException
                or Headsup.Deidentification.Keys.DeidentificationKeyException
                or IOException or UnauthorizedAccessException => "error: " + text,
            _ => $"error: internal error: {ex.GetType().FullName}: {text} (exit {exitCode}; please report it with the input that caused it)",
        };
    }

    /// <summary>A parallel loop's single failure is reported as itself.</summary>
    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException aggregate && aggregate.Flatten().InnerExceptions is [var single] ? Unwrap(single) : exception;
}

/// <summary>A usage problem found after parsing (a bad combination of options); exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
