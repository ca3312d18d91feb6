using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Reporting.Tests;

/// <summary>
/// Secondary Capture and SR built from a generated source and from real RSNA (implicit VR, non-conformant UIDs) and
/// CQ500 (JPEG lossless) slices, written to disk and checked with dciodvfy, dcmdump and dsrdump.
/// </summary>
public sealed class ConformanceTests
{
    public static TheoryData<string> Sources() => new() { "generated", "rsna-712bcb4e", "cq500-CQ500-CT-47" };

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void Create_Source_DciodvfyReportsNoErrorsOfOurOwn(string sourceName)
    {
        ExternalTool.Require("dciodvfy");
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.Source(sourceName), temp.Path);
        var sourceUids = new[]
        {
            outputs.Source.GetString(DicomTags.StudyInstanceUID), outputs.Slice.SopInstanceUid, outputs.Slice.SeriesInstanceUid,
        };
        foreach (var (path, iod) in new[] { (outputs.ScPath, "SCImage"), (outputs.SrPath, "ComprehensiveSR") })
        {
            var report = DicomToolChecks.Dciodvfy(path);
            Assert.True(report.Contains(iod, StringComparison.Ordinal), $"{sourceName} {iod}: dciodvfy did not recognise the IOD:\n{report}");
            var errors = DicomToolChecks.UnexplainedErrors(report, sourceUids);
            Assert.True(errors.Count == 0, $"{sourceName} {iod}: dciodvfy errors:\n{string.Join('\n', errors)}\n--- full report ---\n{report}");
            var warnings = sourceName == "generated" ? DicomToolChecks.Lines(report, "Warning") : DicomToolChecks.UnexplainedWarnings(report);
            Assert.True(warnings.Count == 0, $"{sourceName} {iod}: dciodvfy warnings:\n{string.Join('\n', warnings)}\n--- full report ---\n{report}");
            if (sourceName == "generated")
            {
                Assert.Empty(DicomToolChecks.Lines(report, "Error"));
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void Create_Source_DcmdumpReadsBothFiles(string sourceName)
    {
        var dcmdump = ExternalTool.Require("dcmdump");
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.Source(sourceName), temp.Path);
        foreach (var (path, sopClass) in new[] { (outputs.ScPath, "SecondaryCaptureImageStorage"), (outputs.SrPath, "ComprehensiveSRStorage") })
        {
            var (exit, stdout, stderr) = ExternalTool.Run(dcmdump, ["-dc", "-E", path]);
            Assert.True(exit == 0, $"{sourceName}: dcmdump exit {exit}: {stderr}");
            Assert.DoesNotContain("E:", stderr, StringComparison.Ordinal);
            Assert.Contains(sopClass, stdout, StringComparison.Ordinal);
            Assert.Contains(outputs.Source.GetString(DicomTags.StudyInstanceUID), stdout, StringComparison.Ordinal);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void CreateSr_Source_DsrdumpShowsTheTree(string sourceName)
    {
        var dsrdump = ExternalTool.Require("dsrdump");
        using var temp = TestData.CreateTempFolder();
        var outputs = ReportingFixtures.Write(ReportingFixtures.Source(sourceName), temp.Path, partial: true);
        // Relationship content constraints are checked (no -Ec). RSNA slices carry non-conformant UIDs ("ID_00aef63b2"),
        // which dsrdump refuses in an IMAGE item unless told to accept invalid item values (-Ev); that is the source's fault.
        var sourceUidsValid = UidSyntax.IsValid(outputs.Slice.SopInstanceUid);
        string[] options = sourceUidsValid ? ["+Pl", "+Pu", "+Pc"] : ["-Ev", "+Pl", "+Pu", "+Pc"];
        var (exit, stdout, stderr) = ExternalTool.Run(dsrdump, [.. options, outputs.SrPath]);
        Assert.True(exit == 0, $"{sourceName}: dsrdump exit {exit}:\n{stdout}\n{stderr}");
        Assert.DoesNotContain("E:", stderr, StringComparison.Ordinal);
        string[] expected =
        [
            "Comprehensive SR Document",
            "Completion Flag     : PARTIAL",
            "Verification Flag   : UNVERIFIED",
            "<CONTAINER:(24725-4,LN,\"CT Head Report\")=SEPARATE>",
            "<contains TEXT:(121106,DCM,\"Comment\")=\"NOT FOR DIAGNOSTIC USE — research software, not validated\">",
            "<contains TEXT:(121106,DCM,\"Comment\")=\"Partial result: 3 of 30 slices could not be decoded\">",
            "<contains CODE:(1386000,SCT,\"Intracranial hemorrhage\")=(52101004,SCT,\"Present\")>",
            "<has concept mod TEXT:(111001,DCM,\"Algorithm Name\")=\"headsup-ich-test\">",
            "<has concept mod TEXT:(111003,DCM,\"Algorithm Version\")=\"0.3.1\">",
            "<has properties NUM:(111012,DCM,\"Certainty of Finding\")=\"87.34\" (%,UCUM,\"percent\")>",
            "<has properties CODE:(121071,DCM,\"Finding\")=(21454007,SCT,\"Subarachnoid intracranial hemorrhage\")>",
            "<has properties TEXT:(121071,DCM,\"Finding\")=\"subdural hemorrhage (subtype score)\">",
            "<has properties NUM:(111012,DCM,\"Certainty of Finding\")=\"61\" (%,UCUM,\"percent\")>",
            $"<inferred from IMAGE:(121080,DCM,\"Best illustration of finding\")=(CT image,\"{outputs.Slice.SopInstanceUid}\")>",
            $"<contains IMAGE:(121080,DCM,\"Best illustration of finding\")=(SC image,\"{outputs.Capture.SopInstanceUid}\")>",
        ];
        foreach (var line in expected)
        {
            Assert.True(stdout.Contains(line, StringComparison.Ordinal), $"{sourceName}: dsrdump output lacks\n  {line}\n--- dsrdump ---\n{stdout}\n{stderr}");
        }
    }
}
