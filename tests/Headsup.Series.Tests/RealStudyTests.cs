using System.Diagnostics;
using System.Globalization;
using Headsup.Series.Selection;
using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Headsup.Series.Tests;

/// <summary>Conformance on the shared real studies (2 RSNA uncompressed, 2 CQ500 JPEG lossless); skipped when absent.</summary>
public class RealStudyTests(ITestOutputHelper output)
{
    private const string PydicomOrder = """
        import sys, os, pydicom
        rows = []
        for name in sorted(os.listdir(sys.argv[1])):
            ds = pydicom.dcmread(os.path.join(sys.argv[1], name), stop_before_pixels=True)
            r, c, p = [float(v) for v in ds.ImageOrientationPatient[:3]], [float(v) for v in ds.ImageOrientationPatient[3:]], [float(v) for v in ds.ImagePositionPatient]
            n = (r[1]*c[2]-r[2]*c[1], r[2]*c[0]-r[0]*c[2], r[0]*c[1]-r[1]*c[0])
            length = sum(v*v for v in n) ** 0.5
            n = tuple(v / length for v in n)
            rows.append((sum(a*b for a, b in zip(n, p)), name))
        for z, name in sorted(rows):
            print(name, repr(z))
        """;

    public static TheoryData<string, int> Studies => new()
    {
        { "rsna-712bcb4e", 26 },
        { "rsna-9aad4785", 26 },
        { "cq500-CQ500-CT-427", 30 },
        { "cq500-CQ500-CT-47", 30 },
    };

    [SkippableTheory]
    [MemberData(nameof(Studies))]
    public void ScanAndSelect_RealStudy_OneSeriesOfExpectedLengthSortedByZ(string folder, int expectedSlices)
    {
        var path = TestData.RequireSharedData("real-ct-dev", "studies", folder);

        var result = StudyScanner.Scan(path);
        var study = Assert.Single(result.Studies);
        var selection = new SeriesSelector().Select(study);

        Assert.Empty(result.Failures);
        var selected = selection.RequireSelected();
        output.WriteLine($"{folder}: {selection.Explanation}; problems: {string.Join("; ", selected.Problems)}");
        Assert.Equal(expectedSlices, selected.Slices.Count);
        var z = selected.PositionsMm;
        Assert.Equal(expectedSlices, z.Count);
        Assert.All(z.Zip(z.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"z not increasing: {pair.First} then {pair.Second}"));

        var labels = File.ReadLines(TestData.RequireSharedData("real-ct-dev", "labels.csv"))
            .Skip(1)
            .Select(line => line.Split(','))
            .Where(cells => cells[0].StartsWith($"studies/{folder}/", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(expectedSlices, labels.Count);
        Assert.All(labels, cells => Assert.Equal(cells[4], selected.Series.SeriesInstanceUid));
        Assert.All(labels, cells => Assert.Equal(cells[3], study.StudyInstanceUid));
    }

    [SkippableTheory]
    [MemberData(nameof(Studies))]
    public void Sort_RealStudy_MatchesPydicomOrderAndPositions(string folder, int expectedSlices)
    {
        var path = TestData.RequireSharedData("real-ct-dev", "studies", folder);
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        var (exitCode, stdout, stderr) = ExternalTool.Run(python, ["-c", PydicomOrder, path], TimeSpan.FromSeconds(60));
        Skip.If(exitCode != 0 && stderr.Contains("No module named 'pydicom'", StringComparison.Ordinal), "pydicom is not installed for /usr/bin/python3: test skipped");
        Assert.True(exitCode == 0, stderr);
        var reference = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(cells => (Name: cells[0], Z: double.Parse(cells[1], CultureInfo.InvariantCulture)))
            .ToList();

        var selected = new SeriesSelector().Select(Assert.Single(StudyScanner.Scan(path).Studies)).RequireSelected();

        Assert.Equal(expectedSlices, reference.Count);
        Assert.Equal(reference.Select(r => r.Name), selected.Slices.Select(s => s.Instance.Source.Name));
        Assert.All(reference.Zip(selected.PositionsMm), pair => Assert.Equal(pair.First.Z, pair.Second, 6));
    }

    [SkippableFact]
    public void Scan_RealStudyHeaders_FastEnough()
    {
        var path = TestData.RequireSharedData("real-ct-dev", "studies", "cq500-CQ500-CT-47");
        StudyScanner.Scan(path);

        var watch = Stopwatch.StartNew();
        const int Repeats = 5;
        for (int i = 0; i < Repeats; i++)
        {
            Assert.Equal(30, StudyScanner.Scan(path).InstanceCount);
        }

        double perScanMs = watch.Elapsed.TotalMilliseconds / Repeats;
        output.WriteLine($"header scan of 30 slices: {perScanMs:0.0} ms");
        Assert.True(perScanMs < 500, $"header scan took {perScanMs:0} ms");
    }
}
