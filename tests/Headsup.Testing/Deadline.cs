using System.Diagnostics;

namespace Headsup.Testing;

/// <summary>
/// The end of a wait, on the monotonic clock (<see cref="Stopwatch"/>): a step of the wall clock (NTP, a VM resumed)
/// cannot end a wait early or stretch it, as it can with <see cref="DateTime.UtcNow"/> deadlines.
/// </summary>
public readonly struct Deadline
{
    private readonly long _end;

    private Deadline(long end) => _end = end;

    /// <summary>A deadline <paramref name="timeout"/> from now.</summary>
    public static Deadline In(TimeSpan timeout) =>
        new(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));

    /// <summary>True once the deadline has passed.</summary>
    public bool Passed => Stopwatch.GetTimestamp() >= _end;

    /// <summary>Time left (zero once passed).</summary>
    public TimeSpan Left => TimeSpan.FromSeconds(Math.Max(0, _end - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
}
