using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Rescale;
using Headsup.Imaging.Slices;
using Headsup.Testing;
using Xunit;

namespace Headsup.Imaging.Tests.Conformance;

/// <summary>
/// HU of every uncompressed single-sample file in ../shared/data equals pydicom + numpy (tools/reference/pydicom_hu.py,
/// the paper's RSNA fix included), bit for bit in float32. Padding/out-of-field mapping is off here (tested by table).
/// </summary>
public sealed class PydicomHuTests
{
    [SkippableFact]
    public void Load_EveryUncompressedSharedFile_EqualsPydicom()
    {
        var root = TestData.RequireSharedData();
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        var (check, _, _) = ExternalTool.Run(python, ["-c", "import pydicom, numpy"]);
        Skip.If(check != 0, "python3-pydicom / python3-numpy are not installed (the README's test command installs them)");

        var files = new List<(string Path, DicomFile File)>();
        foreach (var dir in new[] { "dicom", "real-ct-dev" })
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                DicomFile file;
                try
                {
                    file = DicomFileReader.Open(path);
                }
                catch (DicomException)
                {
                    continue; // not DICOM (README, csv)
                }

                if (file.TransferSyntax.IsEncapsulated || !file.Dataset.Contains(DicomTags.PixelData) ||
                    !file.Dataset.TryGetInt32(DicomTags.SamplesPerPixel, out var spp) || spp != 1 || file.Warnings.Count > 0)
                {
                    continue;
                }

                files.Add((path, file));
            }
        }

        Assert.True(files.Count >= 60, $"expected the shared uncompressed files, found {files.Count}");
        using var temp = TestData.CreateTempFolder();
        var (exit, _, stderr) = ExternalTool.Run(python, [Path.Combine(TestData.RepoRoot, "tools", "reference", "pydicom_hu.py"), temp.Path, .. files.Select(f => f.Path)], TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, stderr);

        var failures = new List<string>();
        int compared = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var (path, file) = files[i];
            var errPath = Path.Combine(temp.Path, $"{i}.err");
            if (File.Exists(errPath))
            {
                failures.Add($"{path}: pydicom could not read it: {File.ReadAllText(errPath)}");
                continue;
            }

            var reference = NpyFile.Read(Path.Combine(temp.Path, $"{i}.npy"));
            var expected = reference.AsFloats();
            int frames = reference.Shape[0];
            int plane = reference.Shape[1] * reference.Shape[2];
            for (int f = 0; f < frames; f++)
            {
                var slice = HuSliceLoader.Load(file, null, f, applyRsnaCorrection: true, mapPaddingToAir: false);
                for (int p = 0; p < plane; p++)
                {
                    if (slice.Hu[p] != expected[(f * plane) + p])
                    {
                        failures.Add($"{path} frame {f} pixel {p}: ours {slice.Hu[p]} pydicom {expected[(f * plane) + p]}");
                        break;
                    }
                }
            }

            compared++;
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(files.Count, compared);
    }
}
