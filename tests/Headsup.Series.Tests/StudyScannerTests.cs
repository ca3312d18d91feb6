using System.IO.Compression;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Series.Sources;
using Headsup.Series.Tests.Sources;
using Headsup.Testing;
using Xunit;

namespace Headsup.Series.Tests;

public class StudyScannerTests
{
    [Fact]
    public void Scan_FolderWithNonDicomFile_ReportsItAndScansTheRest()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        File.WriteAllText(Path.Combine(temp.Path, "README.txt"), "not an image, just some notes about this study\n");
        File.WriteAllBytes(Path.Combine(temp.Path, "truncated.dcm"), File.ReadAllBytes(Path.Combine(temp.Path, "s000.dcm"))[..300]);

        var result = StudyScanner.Scan(temp.Path);

        var study = Assert.Single(result.Studies);
        Assert.Equal(12, Assert.Single(study.Series).Instances.Count);
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, f => f.Source.EndsWith("README.txt", StringComparison.Ordinal) && f.Reason == "not a DICOM file");
        Assert.Contains(result.Failures, f => f.Source.EndsWith("truncated.dcm", StringComparison.Ordinal) && f.Reason.StartsWith("unreadable DICOM", StringComparison.Ordinal));
        Assert.Equal(14, result.SourcesScanned);
    }

    [Fact]
    public void Scan_EmptyFolder_NoStudiesNoFailures()
    {
        using var temp = TestData.CreateTempFolder();

        var result = StudyScanner.Scan(temp.Path);

        Assert.Empty(result.Studies);
        Assert.Empty(result.Failures);
        Assert.Equal(0, result.SourcesScanned);
    }

    [Fact]
    public void Scan_MissingInput_ThrowsScanInputException()
    {
        Assert.Throws<ScanInputException>(() => StudyScanner.Scan("/nonexistent/headsup/input"));
    }

    [Fact]
    public void Scan_MixedStudiesInNestedFolders_GroupsByStudyAndSeries()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec { StudyUid = "1.2.3.1", SeriesUid = "1.2.3.1.1", SeriesNumber = 1 }.Write(Path.Combine(temp.Path, "a", "x"));
        new SeriesSpec { StudyUid = "1.2.3.1", SeriesUid = "1.2.3.1.2", SeriesNumber = 2, SliceThicknessMm = 1, PositionsMm = Enumerable.Range(0, 15).Select(i => i * 1.0).ToArray() }.Write(Path.Combine(temp.Path, "b"));
        new SeriesSpec { StudyUid = "1.2.3.2", SeriesUid = "1.2.3.2.1" }.Write(Path.Combine(temp.Path, "a"), i => $"other{i}.dcm");

        var result = StudyScanner.Scan(temp.Path);

        Assert.Equal(["1.2.3.1", "1.2.3.2"], result.Studies.Select(s => s.StudyInstanceUid));
        Assert.Equal(["1.2.3.1.1", "1.2.3.1.2"], result.Studies[0].Series.Select(s => s.SeriesInstanceUid));
        Assert.Equal([12, 15], result.Studies[0].Series.Select(s => s.Instances.Count));
        Assert.Equal(12, Assert.Single(result.Studies[1].Series).Instances.Count);
        Assert.Empty(result.Failures);
        Assert.Equal("a/x/s000.dcm", result.Studies[0].Series[0].Instances[0].Source.Name);
    }

    [Fact]
    public void Scan_DicomDirByNameAndBySopClass_SkippedWithNote()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        File.WriteAllBytes(Path.Combine(temp.Path, "DICOMDIR"), [1, 2, 3]);
        var directory = new DicomDataset()
            .AddString(DicomTags.SOPClassUID, DicomUid.MediaStorageDirectoryStorage)
            .AddString(DicomTags.SOPInstanceUID, "1.2.3.4.5");
        DicomFileWriter.Save(Path.Combine(temp.Path, "media.dir"), directory, TransferSyntax.ExplicitVRLittleEndian);

        var result = StudyScanner.Scan(temp.Path);

        Assert.Single(result.Studies);
        Assert.Empty(result.Failures);
        Assert.Equal(2, result.Skipped.Count);
        Assert.Contains(result.Skipped, s => s.Reason.Contains("by file name", StringComparison.Ordinal));
        Assert.Contains(result.Skipped, s => s.Reason.Contains("by SOP class", StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_InstanceWithoutSeriesUid_ReportedAsFailure()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        var orphan = new SeriesSpec().Slice(0);
        orphan.Remove(DicomTags.SeriesInstanceUID);
        DicomFileWriter.Save(Path.Combine(temp.Path, "orphan.dcm"), orphan, TransferSyntax.ExplicitVRLittleEndian);

        var result = StudyScanner.Scan(temp.Path);

        var failure = Assert.Single(result.Failures);
        Assert.Contains("SeriesInstanceUID", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_ZipOfSeries_SameStudyAsFolderAndSourcesReopen()
    {
        using var temp = TestData.CreateTempFolder();
        var folder = Path.Combine(temp.Path, "series");
        new SeriesSpec().Write(folder, i => $"nested/s{i:000}.dcm");
        var zip = Path.Combine(temp.Path, "study.zip");
        ZipFile.CreateFromDirectory(folder, zip);

        var fromFolder = StudyScanner.Scan(folder);
        var fromZip = StudyScanner.Scan(zip);

        var zipSeries = Assert.Single(Assert.Single(fromZip.Studies).Series);
        Assert.Equal(
            fromFolder.Studies[0].Series[0].Instances.Select(i => (i.Source.Name, i.SopInstanceUid)),
            zipSeries.Instances.Select(i => (i.Source.Name, i.SopInstanceUid)));
        Assert.IsType<ZipEntryDicomSource>(zipSeries.Instances[0].Source);
        Assert.True(zipSeries.Instances[0].Source.Open().Dataset.Contains(DicomTags.PixelData));
    }

    [Fact]
    public void Scan_ZipWithEscapingEntry_ThrowsUnsafeArchiveEntry()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = ZipSourceArchiveTests.WriteZip(Path.Combine(temp.Path, "evil.zip"), ("../../outside.dcm", [1, 2, 3]));

        var error = Assert.Throws<UnsafeArchiveEntryException>(() => StudyScanner.Scan(zip));

        Assert.Equal("../../outside.dcm", error.Entry);
        Assert.False(File.Exists(Path.Combine(temp.Path, "..", "outside.dcm")));
    }

    [Fact]
    public void Scan_FolderHoldingEscapingZip_ReportsArchiveAndScansTheRest()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        ZipSourceArchiveTests.WriteZip(Path.Combine(temp.Path, "evil.zip"), ("../../outside.dcm", [1, 2, 3]));

        var result = StudyScanner.Scan(temp.Path);

        Assert.Single(result.Studies);
        var failure = Assert.Single(result.Failures);
        Assert.IsType<UnsafeArchiveEntryException>(failure.Error);
        Assert.Contains("../../outside.dcm", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_ZipBombBeyondTotalLimit_ThrowsArchiveLimit()
    {
        using var temp = TestData.CreateTempFolder();
        var zip = ZipSourceArchiveTests.WriteZip(
            Path.Combine(temp.Path, "bomb.zip"),
            Enumerable.Range(0, 8).Select(i => ($"z{i}.dcm", new byte[1 << 20])).ToArray());
        var options = new ScanOptions { Archive = new ArchiveLimits { MaxTotalBytes = 4 << 20 } };

        Assert.Throws<ArchiveLimitException>(() => StudyScanner.Scan(zip, options));
    }

    [Fact]
    public void Scan_WithProgress_ReportsEverySource()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        var reports = new List<ScanProgress>();

        StudyScanner.Scan(temp.Path, progress: new SynchronousProgress(reports.Add));

        Assert.Equal(12, reports.Count);
        Assert.Equal(Enumerable.Range(1, 12), reports.Select(r => r.SourcesScanned));
        Assert.All(reports, r => Assert.Equal(12, r.InputFilesTotal));
    }

    [Fact]
    public void Scan_Cancelled_ThrowsOperationCanceled()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => StudyScanner.Scan(temp.Path, cancellationToken: cancel.Token));
    }

    [Fact]
    public void Scan_MoreInstancesThanLimit_StopsWithFailure()
    {
        using var temp = TestData.CreateTempFolder();
        new SeriesSpec().Write(temp.Path);

        var result = StudyScanner.Scan(temp.Path, new ScanOptions { MaxInstances = 5 });

        Assert.Equal(5, result.InstanceCount);
        Assert.Contains("instance limit of 5", Assert.Single(result.Failures).Reason, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}
