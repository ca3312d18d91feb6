using Headsup.Testing;
using Xunit;

namespace Headsup.Service.Tests;

/// <summary>
/// The Orthanc front door end to end (tests/e2e/orthanc-roundtrip.sh): dcmtk storescu sends a study to a throwaway
/// Orthanc, Orthanc's Lua sends the stable study to headsup by STOW-RS, headsup triages it and STOWs the SR and
/// Secondary Captures back, findscu and Orthanc's REST API find them in the same StudyInstanceUID, Orthanc forwards them
/// to a storescp "PACS", and the loop settles without a second result version.
/// </summary>
public sealed class OrthancRoundTripTests
{
    [SkippableFact]
    public void RoundTrip_StudyThroughOrthanc_SrAndScComeBackIntoTheStudy()
    {
        ExternalTool.Require("/usr/sbin/Orthanc");
        ExternalTool.Require("storescu");
        var script = Path.Combine(TestData.RepoRoot, "tests", "e2e", "orthanc-roundtrip.sh");
        var args = new List<string> { script, Path.Combine(AppContext.BaseDirectory, "headsup") };

        // A real JPEG-lossless study when ../shared/data is present (storescu -xs), else a phantom study.
        if (TestData.SharedDataRoot is { } shared && Directory.Exists(Path.Combine(shared, "real-ct-dev", "studies", "cq500-CQ500-CT-427")))
        {
            args.Add(Path.Combine(shared, "real-ct-dev", "studies", "cq500-CQ500-CT-427"));
        }

        var (code, stdout, stderr) = ExternalTool.Run("bash", args, TimeSpan.FromMinutes(7));
        Assert.True(code == 0, $"round trip failed (exit {code}):\n{stdout}\n{stderr}");
        Assert.Contains("PASS", stdout, StringComparison.Ordinal);
    }
}
