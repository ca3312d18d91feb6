using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests;

/// <summary>The project file refuses to build without GDCM's C# bindings unless the opt-out property is set.</summary>
public sealed class CodecsBuildTests
{
    private static string Project => Path.Combine(TestData.RepoRoot, "src", "Headsup.Dicom.Codecs", "Headsup.Dicom.Codecs.csproj");

    [SkippableFact]
    public void Build_WithoutGdcmBindings_FailsNamingThePackageAndTheOptOut()
    {
        // Runs only the checking target, with the bindings' path pointed at an empty place: no compile, no outputs touched.
        using var empty = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = ExternalTool.Run(
            "dotnet", ["msbuild", Project, "-t:RequireGdcm", $"-p:GdcmSharpPath={Path.Combine(empty.Path, "gdcm-sharp.dll")}", "-nologo", "-v:q"], TimeSpan.FromMinutes(3));

        Assert.NotEqual(0, exit);
        Assert.Contains("HEADSUP001", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install libgdcm-cil", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("-p:HeadsupAllowMissingGdcm=true", stdout + stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Build_WithoutGdcmBindingsAndOptOut_Passes()
    {
        using var empty = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = ExternalTool.Run(
            "dotnet", ["msbuild", Project, "-t:RequireGdcm", $"-p:GdcmSharpPath={Path.Combine(empty.Path, "gdcm-sharp.dll")}", "-p:HeadsupAllowMissingGdcm=true", "-nologo", "-v:q"], TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, stdout + stderr);
    }
}
