using Headsup.Explain;
using Headsup.Service.Api;
using Headsup.Service.Data;
using Headsup.Service.Jobs;
using Headsup.Service.Storage;
using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// The study detail's <c>overlay_explanation</c> in each state of the second overlay pass, from the store as the
/// worker leaves it (no service process needed).
/// </summary>
public sealed class OverlayExplanationViewTests : IDisposable
{
    private const string ResultKey = "results/1.2.3/v1-abc";
    private readonly TempFolder _temp = TestData.CreateTempFolder();
    private readonly LocalFileStore _store;

    public OverlayExplanationViewTests() => _store = new LocalFileStore(Path.Combine(_temp.Path, "store"), 0);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PendingUntilTheManifestExists_ThenItsContent()
    {
        var options = Options("gradcam", "xrai");
        Assert.Equal("pending", (string?)StudyViews.OverlayExplanation(Study(), [Job("done")], _store, options)!["status"]);

        var folder = _store.LocalPath($"{ResultKey}/{OverlayPass.Folder(ExplainMethod.Xrai)}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, OverlayPass.Manifest), """{"method":"xrai","status":"done","seconds":12.5,"slices":[]}""");
        var done = StudyViews.OverlayExplanation(Study(), [Job("done")], _store, options)!;
        Assert.Equal("done", (string?)done["status"]);
        Assert.Equal(12.5, (double?)done["seconds"]);

        File.WriteAllText(Path.Combine(folder, OverlayPass.Manifest), "{ not json");
        Assert.Equal("failed", (string?)StudyViews.OverlayExplanation(Study(), [Job("done")], _store, options)!["status"]);
    }

    [Theory]
    [InlineData("gradcam", "none")]
    [InlineData("xrai", "xrai")]
    [InlineData("gradcam", "not-a-method")]
    public void Off_WhenThePassIsDisabledOrTheSameAsTheResult(string explain, string overlay)
    {
        var view = StudyViews.OverlayExplanation(Study(), [Job("done")], _store, Options(explain, overlay))!;
        Assert.Equal("off", (string?)view["status"]);
        Assert.Equal(explain, (string?)view["method"]);
    }

    [Fact]
    public void Absent_WithoutADoneCurrentResult()
    {
        Assert.Null(StudyViews.OverlayExplanation(Study(), [Job("failed")], _store, Options("gradcam", "xrai")));
        Assert.Null(StudyViews.OverlayExplanation(Study() with { ResultVersion = null }, [Job("done")], _store, Options("gradcam", "xrai")));
    }

    [Fact]
    public void Claim_OneWorkerAtATime_ReleasedOrExpired_ThenAnotherMayTakeIt()
    {
        Directory.CreateDirectory(_store.LocalPath(ResultKey));
        Assert.True(OverlayPass.TryClaim(_store, ResultKey, ExplainMethod.Xrai, "worker-a"));
        Assert.False(OverlayPass.TryClaim(_store, ResultKey, ExplainMethod.Xrai, "worker-b"));
        Assert.True(OverlayPass.TryClaim(_store, ResultKey, ExplainMethod.XraiFast, "worker-b")); // another method's pass
        OverlayPass.Release(_store, ResultKey, ExplainMethod.Xrai);
        Assert.True(OverlayPass.TryClaim(_store, ResultKey, ExplainMethod.Xrai, "worker-b"));

        // A claim left by a worker that died expires.
        File.SetLastWriteTimeUtc(_store.LocalPath($"{ResultKey}/{OverlayPass.Folder(ExplainMethod.Xrai)}.claim"), DateTime.UtcNow - OverlayPass.ClaimLifetime - TimeSpan.FromMinutes(1));
        Assert.True(OverlayPass.TryClaim(_store, ResultKey, ExplainMethod.Xrai, "worker-c"));
        Assert.False(OverlayPass.TryClaim(_store, "results/gone/v1", ExplainMethod.Xrai, "worker-c")); // no result folder
    }

    private ServiceOptions Options(string explain, string overlay) => new() { DataDir = _temp.Path, Explain = explain, OverlayExplain = overlay };

    private static StudyRow Study() => new("1.2.3", null, null, null, null, null, null, 0, 0, 10, 1, "done", 1, 0.4, null, null, 0);

    private static JobRow Job(string status) => new("job-1", 1, 10, status, 1, 3, null, 0, 0, 0, ResultKey, "{}", "w");
}
