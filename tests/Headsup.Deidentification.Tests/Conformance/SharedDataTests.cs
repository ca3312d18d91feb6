using Headsup.Deidentification.Tests.Fixtures;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Testing;

namespace Headsup.Deidentification.Tests.Conformance;

/// <summary>
/// A few real files from ../shared/data (skipped when absent): CQ500 JPEG Lossless and RSNA slices and public
/// conformance samples. Compressed pixel data must come out byte for byte, pydicom must read every output, and
/// dciodvfy must find no error the input did not have. Nothing from ../shared/data is copied into the repository.
/// </summary>
public sealed class SharedDataTests
{
    /// <summary>Folders of ../shared/data, the file pattern and how many files (in path order) to take.</summary>
    public static TheoryData<string, string, int> Sources => new()
    {
        { "real-ct-dev/studies/cq500-CQ500-CT-47", "*.dcm", 3 },
        { "real-ct-dev/studies/rsna-712bcb4e", "*.dcm", 3 },
        { "real-ct-dev/slices", "*.dcm", 3 },
        { "dicom/pydicom", "*.dcm", 100 }, // every syntax pydicom ships: big endian, deflated, no meta, RLE, JPEG, JPEG-LS, JPEG 2000
        { "dicom/WG04", "CT*", 14 },
    };

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void DeidentifyFile_RealFiles_PixelsUnchangedPydicomReadsAndNoNewDciodvfyErrors(string relative, string pattern, int count)
    {
        var folder = TestData.RequireSharedData(relative.Split('/'));
        var inputs = Directory.GetFiles(folder, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(count).ToList();
        Skip.If(inputs.Count == 0, $"no DICOM files in {relative}");
        using var temp = TestData.CreateTempFolder();
        var deidentifier = TestDeidentifiers.Create(); // the Basic Profile alone, so every row's code applies as written
        var outputs = new List<string>();

        for (int n = 0; n < inputs.Count; n++)
        {
            var input = inputs[n];
            var result = deidentifier.DeidentifyFile(input, Path.Combine(temp.Path, $"out-{n}.dcm")); // some samples share a SOP Instance UID
            outputs.Add(result.OutputPath);
            var before = DicomFileReader.Open(input);
            var after = DicomFileReader.Open(result.OutputPath);
            Assert.Equal(before.TransferSyntax.Uid, after.TransferSyntax.Uid);
            Assert.Equal(PixelBytes(before.Dataset), PixelBytes(after.Dataset));
            Assert.DoesNotContain(after.Dataset.Items, i => i.Tag.IsPrivate);
            var problems = ActionChecker.Check(DatasetDump.WithOwnReader(input), DatasetDump.WithOwnReader(result.OutputPath), ExpectedAction.All.Where(r => r.Code != "K" || r.Tag == DicomTags.PixelData));
            Assert.True(problems.Count == 0, input + ":\n" + string.Join('\n', problems));
            var patientId = before.Dataset.GetStringOrDefault(DicomTags.PatientID);
            if (patientId.Length > 0)
            {
                Assert.Equal(deidentifier.PseudonymizePatientId(patientId), after.Dataset.GetString(DicomTags.PatientID));
            }
        }

        if (ExternalTool.Find(ExternalTool.DebianPython) is not null)
        {
            var dumps = DatasetDump.WithPydicom(outputs);
            Assert.All(outputs, o => Assert.Equal("YES", dumps[o][DicomTags.PatientIdentityRemoved].Value));
        }

        if (ExternalTool.Find("/usr/bin/dciodvfy") is not null)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                // Compared with the input re-written as it is, plus the SOP Class UID from its file meta when the data set
                // lacks it (as de-identification adds it): dciodvfy then judges the same IOD in both.
                var added = Dciodvfy.NewErrors(ReferenceCopy(inputs[i], Path.Combine(temp.Path, $"reference-{i}.dcm")), outputs[i]);
                Assert.True(added.Count == 0, $"{inputs[i]}: errors introduced:\n{string.Join('\n', added)}");
            }
        }
    }

    private static string ReferenceCopy(string input, string path)
    {
        var file = DicomFileReader.Open(input);
        if (!file.Dataset.Contains(DicomTags.SOPClassUID))
        {
            file.Dataset.AddString(DicomTags.SOPClassUID, file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID));
        }

        DicomFileWriter.Save(path, file.Dataset, file.TransferSyntax);
        return path;
    }

    private static byte[] PixelBytes(DicomDataset ds) => ds.Items.Single(i => i.Tag == DicomTags.PixelData) switch
    {
        DicomElement e => e.Value.ToArray(),
        DicomFragments f => f.Fragments.SelectMany(x => x.Data.ToArray()).ToArray(),
        var other => throw new InvalidOperationException(other.GetType().Name),
    };
}
