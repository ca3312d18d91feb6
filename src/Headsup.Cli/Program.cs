using System.CommandLine;
using Headsup.Cli.Commands;

namespace Headsup.Cli;

/// <summary>`headsup`: one tool, one class per verb (Commands/). Exit codes: see <see cref="ExitCodes"/>.</summary>
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
        };

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
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 130;
        }
    }
}

/// <summary>A usage problem found after parsing (a bad combination of options); exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
