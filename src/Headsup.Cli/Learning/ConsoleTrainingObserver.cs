using System.Globalization;
using Headsup.Training;

namespace Headsup.Cli.Learning;

/// <summary>
/// Shows a training run on stderr: one line per stage, a live bar for the current stage or epoch (with running loss
/// and validation AP) when stderr is a terminal, and one summary line per epoch either way (so logs keep them).
/// Thread-safe: input preparation reports from several threads.
/// </summary>
internal sealed class ConsoleTrainingObserver : ITrainingObserver
{
    private readonly Lock _gate = new();
    private readonly bool _live = !Console.IsErrorRedirected;
    private string _stage = string.Empty;
    private int _total;
    private int _problems;
    private DateTime _lastDraw = DateTime.MinValue;

    /// <summary>Samples reported as problems.</summary>
    public int Problems => _problems;

    public void Stage(string name, int total)
    {
        lock (_gate)
        {
            EndLine();
            _stage = name;
            _total = total;
            Console.Error.WriteLine("· " + name);
        }
    }

    public void Advance(int done)
    {
        lock (_gate)
        {
            if (_live && _total > 0 && (DateTime.UtcNow - _lastDraw).TotalMilliseconds > 100)
            {
                Draw($"{Bar((double)done / _total)} {done}/{_total}");
            }
        }
    }

    public void Training(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"epoch {progress.Epoch}/{progress.Epochs} {Bar((double)progress.Step / progress.StepsPerEpoch)} loss {progress.Loss:0.0000}  val AP {Format(progress.ValidationAp)}  best {Format(progress.BestValidationAp)}");
            if (progress.EpochDone)
            {
                EndLine();
                Console.Error.WriteLine("  " + text);
            }
            else if (_live && (DateTime.UtcNow - _lastDraw).TotalMilliseconds > 100)
            {
                Draw(text);
            }
        }
    }

    public void Problem(SampleProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        lock (_gate)
        {
            EndLine();
            _problems++;
            Console.Error.WriteLine($"  skipped {problem.File}: {problem.Message}");
        }
    }

    private static string Format(double value) => double.IsNaN(value) ? "–" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 24);
        return "[" + new string('#', filled) + new string('.', 24 - filled) + "]";
    }

    private void Draw(string text)
    {
        _lastDraw = DateTime.UtcNow;
        Console.Error.Write("\r  " + text.PadRight(100));
    }

    private void EndLine()
    {
        if (_lastDraw != DateTime.MinValue)
        {
            Console.Error.WriteLine();
            _lastDraw = DateTime.MinValue;
        }
    }
}
