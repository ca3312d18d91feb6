using Headsup.Triage;
using Headsup.Training.Search;
using Xunit;

namespace Headsup.Models.Tests.Search;

/// <summary>
/// The AutoML schedule (<see cref="AutoMlSearch.Schedule"/>) with hand-made trial results and a fake clock: which
/// configurations successive halving promotes, how brackets repeat until the budget, ties, a failed trial, the deadline.
/// No network is trained. Each trial takes one fake second per epoch.
/// </summary>
public sealed class AutoMlScheduleTests
{
    [Fact]
    public void Schedule_NineCandidatesEtaThree_PromotesTheTopThirdByApAtEachRung()
    {
        // Rung 0 (1 epoch): positions 5, 1 and 3 have the best APs; rung 1 (3 epochs): position 1 wins; rung 2: 9 epochs.
        var runner = new FakeRunner((bracket, position, rung) => rung switch
        {
            0 => new[] { 0.50, 0.91, 0.30, 0.85, 0.70, 0.95, 0.10, 0.60, 0.40 }[position],
            1 => new Dictionary<int, double> { [5] = 0.80, [1] = 0.97, [3] = 0.90 }[position],
            _ => 0.99,
        });
        var trials = runner.Schedule(Options(budgetSeconds: 27)); // 9·1 + 3·3 + 1·9 = 27 s: exactly one bracket

        Assert.Equal(13, trials.Count);
        Assert.Equal(Enumerable.Range(1, 13), trials.Select(t => t.Id));
        Assert.All(trials, t => Assert.Equal(1, t.Bracket));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2], trials.Select(t => t.Rung));
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9], trials.Select(t => t.Epochs));
        Assert.Equal(9, trials.Take(9).Select(t => t.Config).Distinct().Count());
        Assert.Equal([5, 1, 3], trials.Skip(9).Take(3).Select(t => runner.Position(t)));
        Assert.Equal(1, runner.Position(trials[12]));
        Assert.Equal(runner.Requests.Select(r => r.Epochs), trials.Select(t => t.Epochs));
        Assert.Same(trials[12], AutoMlSearch.Best(trials));
    }

    [Fact]
    public void Schedule_EightCandidatesEtaTwo_HalvesEachRungAndDoublesEpochs()
    {
        var runner = new FakeRunner((_, position, rung) => rung == 0 ? new[] { 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5 }[position] : position / 10.0);
        var trials = runner.Schedule(Options(budgetSeconds: 32) with { Candidates = 8, Eta = 2 }); // 8 + 4·2 + 2·4 + 8

        Assert.Equal([8, 4, 2, 1], trials.GroupBy(t => t.Rung).Select(g => g.Count()));
        Assert.Equal([1, 2, 4, 8], trials.GroupBy(t => t.Rung).Select(g => g.First().Epochs));
        Assert.Equal([1, 3, 5, 7], trials.Where(t => t.Rung == 1).Select(runner.Position));
        Assert.Equal([7, 5], trials.Where(t => t.Rung == 2).Select(runner.Position)); // rung 1 AP = position / 10
        Assert.Equal(7, runner.Position(trials[^1]));
    }

    [Fact]
    public void Schedule_FiveCandidatesEtaThree_KeepsOneAndEndsTheBracket()
    {
        // ⌊5/3⌋ = 1 survivor: it trains once more at rung 1 and the bracket ends (one configuration left).
        var runner = new FakeRunner((_, position, _) => new[] { 0.2, 0.4, 0.9, 0.1, 0.3 }[position]);
        var trials = runner.Schedule(Options(budgetSeconds: 8) with { Candidates = 5 });
        Assert.Equal(6, trials.Count);
        Assert.Equal(2, runner.Position(trials[5]));
        Assert.Equal(3, trials[5].Epochs);
    }

    [Fact]
    public void Schedule_TiedAps_TheEarlierTrialIsPromoted()
    {
        // Positions 1..4 tie for the second and third places: the first two of them in trial order go on.
        var runner = new FakeRunner((_, position, rung) => rung == 0 ? new[] { 0.9, 0.7, 0.7, 0.7, 0.7, 0.1, 0.2, 0.3, 0.4 }[position] : 0.5);
        var trials = runner.Schedule(Options(budgetSeconds: 27));
        Assert.Equal([0, 1, 2], trials.Where(t => t.Rung == 1).Select(runner.Position));
        Assert.Equal(0, runner.Position(trials[^1])); // rung 1 ties too: the first of them
    }

    [Fact]
    public void Schedule_FailedTrialWithNaNAp_IsNotPromoted()
    {
        // A trial whose validation AP is undefined (NaN, e.g. a diverged network) ranks below every number.
        var runner = new FakeRunner((_, position, rung) => rung == 0 ? new[] { double.NaN, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.1 }[position] : 0.5);
        var trials = runner.Schedule(Options(budgetSeconds: 27));
        Assert.Equal([7, 6, 5], trials.Where(t => t.Rung == 1).Select(runner.Position));
    }

    [Fact]
    public void Schedule_AllApsNaN_PromotesInTrialOrder()
    {
        var runner = new FakeRunner((_, _, _) => double.NaN);
        var trials = runner.Schedule(Options(budgetSeconds: 27));
        Assert.Equal([0, 1, 2], trials.Where(t => t.Rung == 1).Select(runner.Position));
        Assert.Equal(13, trials.Count);
    }

    [Fact]
    public void Schedule_TrialThrows_TheSearchStopsWithTheException()
    {
        // One configuration that fails (e.g. out of memory) ends the whole search: nothing catches it.
        var runner = new FakeRunner((_, position, _) => position == 3 ? throw new InvalidOperationException("trial 4 failed") : 0.5);
        var ex = Assert.Throws<InvalidOperationException>(() => runner.Schedule(Options(budgetSeconds: 100)));
        Assert.Equal("trial 4 failed", ex.Message);
        Assert.Equal(4, runner.Requests.Count);
    }

    [Fact]
    public void Schedule_BudgetLeftAfterABracket_RepeatsBracketsWithNewDrawsUntilTheDeadline()
    {
        // Bracket 1 ends at 27 s. Bracket 2: nine 1-epoch trials (27–36 s), then 3-epoch trials start at 36 s and 39 s
        // (before the 40 s deadline; the second runs on to 42 s) and the third never starts.
        var runner = new FakeRunner((_, position, rung) => rung == 0 ? 0.1 * (position + 1) : 0.5);
        var trials = runner.Schedule(Options(budgetSeconds: 40));

        Assert.Equal(13 + 9 + 2, trials.Count);
        var second = trials.Where(t => t.Bracket == 2).ToList();
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], second.Select(t => t.Rung));
        Assert.Equal([8, 7], second.Where(t => t.Rung == 1).Select(runner.Position));
        Assert.NotEqual(trials.Take(9).Select(t => t.Config), second.Take(9).Select(t => t.Config));
        Assert.Equal(TimeSpan.FromSeconds(39), runner.StartedAt[^1]);
        Assert.Equal(TimeSpan.FromSeconds(42), runner.Now);
        Assert.Equal(13, AutoMlSearch.Best(trials)!.Id); // bracket 1's rung-2 trial: the highest rung reached
    }

    [Fact]
    public void Schedule_DeadlineDuringTheFirstRung_StartsNoTrialAfterItAndPromotesNothing()
    {
        var runner = new FakeRunner((_, position, _) => new[] { 0.3, 0.9, 0.5, 0.8, 0.7, 0.95, 0.1, 0.2, 0.4 }[position]);
        var trials = runner.Schedule(Options(budgetSeconds: 4.5));
        Assert.Equal(5, trials.Count); // started at 0, 1, 2, 3 and 4 s
        Assert.All(trials, t => Assert.Equal(0, t.Rung));
        Assert.Equal(2, AutoMlSearch.Best(trials)!.Id); // AP 0.9: the best of those that ran
    }

    [Fact]
    public void Schedule_BudgetAlreadySpent_RunsNoTrial()
    {
        var runner = new FakeRunner((_, _, _) => 0.5);
        var trials = runner.Schedule(Options(budgetSeconds: 0));
        Assert.Empty(trials);
        Assert.Null(AutoMlSearch.Best(trials));
    }

    [Fact]
    public void Schedule_Cancelled_ThrowsBeforeTheNextTrial()
    {
        using var cancel = new CancellationTokenSource();
        var runner = new FakeRunner((_, position, _) =>
        {
            if (position == 1)
            {
                cancel.Cancel();
            }

            return 0.5;
        });
        Assert.Throws<OperationCanceledException>(() => runner.Schedule(Options(budgetSeconds: 100), cancel.Token));
        Assert.Equal(2, runner.Requests.Count);
    }

    [Fact]
    public void Schedule_SameSeed_DrawsTheSameConfigurationsOnlyFromTheSpace()
    {
        var options = Options(budgetSeconds: 27) with { Recipes = ["gray-brain"], Architectures = ["small-cnn", "resnet18"], Sizes = [128] };
        var a = new FakeRunner((_, p, _) => p / 10.0).Schedule(options);
        var b = new FakeRunner((_, p, _) => p / 10.0).Schedule(options);
        Assert.Equal(a.Select(t => t.Config), b.Select(t => t.Config));
        Assert.All(a, t => Assert.True(t.Config.Recipe == "gray-brain" && t.Config.Size == 128 && t.Config.Architecture is "small-cnn" or "resnet18"));
        Assert.All(a, t => Assert.InRange(t.Config.LearningRate, 1e-4, 3e-3));
        var c = new FakeRunner((_, p, _) => p / 10.0).Schedule(options with { Seed = 2 });
        Assert.NotEqual(a.Take(9).Select(t => t.Config), c.Take(9).Select(t => t.Config));
    }

    [Fact]
    public void Best_HigherRungBeatsHigherApAtALowerRung()
    {
        var config = new SearchConfig("gray-brain", "small-cnn", 128, 1e-3, 0.5);
        var low = new Trial(1, 1, config, 0, 1, 0.99, 0.99, 1, false);
        var high = new Trial(2, 1, config, 1, 3, 0.60, 0.60, 3, false);
        var tie = new Trial(3, 1, config, 1, 3, 0.60, 0.60, 3, false);
        Assert.Same(high, AutoMlSearch.Best([low, high, tie]));
    }

    [Fact]
    public void Best_FirstTrialHasNaNAp_TheScoredTrialWins()
    {
        // Before the fix a NaN first trial stayed best at its rung (0.8 > NaN is false) and would have been packaged.
        var config = new SearchConfig("gray-brain", "small-cnn", 128, 1e-3, 0.5);
        var failed = new Trial(1, 1, config, 0, 1, double.NaN, double.NaN, 1, false);
        var scored = new Trial(2, 1, config, 0, 1, 0.8, 0.8, 1, false);
        Assert.Same(scored, AutoMlSearch.Best([failed, scored]));
    }

    [Fact]
    public void Best_NaNApAtAHigherRung_LosesToAScoredTrial()
    {
        var config = new SearchConfig("gray-brain", "small-cnn", 128, 1e-3, 0.5);
        var scored = new Trial(1, 1, config, 0, 1, 0.7, 0.7, 1, false);
        var diverged = new Trial(2, 1, config, 1, 3, double.NaN, double.NaN, 3, false);
        Assert.Same(scored, AutoMlSearch.Best([scored, diverged]));
        var onlyFailed = new Trial(3, 1, config, 0, 1, double.NaN, double.NaN, 1, false);
        Assert.Same(diverged, AutoMlSearch.Best([onlyFailed, diverged])); // all NaN: the higher rung, as before
    }

    private static AutoMlOptions Options(double budgetSeconds) => new() { Budget = TimeSpan.FromSeconds(budgetSeconds), Candidates = 9, Eta = 3, MinEpochs = 1, Seed = 1 };

    /// <summary>
    /// Gives each trial the AP of <c>ap(bracket, position, rung)</c>, where position is the configuration's place among
    /// its bracket's rung-0 trials, and advances a fake clock by one second per epoch.
    /// </summary>
    private sealed class FakeRunner(Func<int, int, int, double> ap)
    {
        private readonly Dictionary<(int Bracket, SearchConfig Config), int> _positions = [];

        public List<TrialRequest> Requests { get; } = [];

        public List<TimeSpan> StartedAt { get; } = [];

        public TimeSpan Now { get; private set; }

        public int Position(Trial trial) => _positions[(trial.Bracket, trial.Config)];

        public IReadOnlyList<Trial> Schedule(AutoMlOptions options, CancellationToken cancellationToken = default) =>
            AutoMlSearch.Schedule(options, options.Recipes, Run, () => Now, cancellationToken: cancellationToken);

        private TrialResult Run(TrialRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            StartedAt.Add(Now);
            if (request.Rung == 0)
            {
                _positions.Add((request.Bracket, request.Config), _positions.Count(p => p.Key.Bracket == request.Bracket));
            }

            double value = ap(request.Bracket, _positions[(request.Bracket, request.Config)], request.Rung);
            Now += TimeSpan.FromSeconds(request.Epochs);
            return new TrialResult(request.Epochs, value, value, request.Epochs, StoppedOnTime: false);
        }
    }
}
