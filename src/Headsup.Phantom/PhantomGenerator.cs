using Headsup.Core.IO;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Imaging.Export;
using Headsup.Phantom.Lesions;
using Headsup.Phantom.Output;
using Headsup.Phantom.Preview;

namespace Headsup.Phantom;

/// <summary>
/// Writes synthetic head CT studies: <c>dicom/ID_&lt;hex&gt;.dcm</c> (CT Image Storage, explicit VR little endian, one
/// file per slice), <c>masks/ID_&lt;hex&gt;.png</c> (8-bit lesion masks coded per subtype, see
/// <see cref="HemorrhageSubtypes.MaskValue"/>), <c>stage_2_train.csv</c> (RSNA 2019 format) and <c>labels.csv</c>.
/// The same options and seed give byte-identical files.
/// </summary>
public sealed class PhantomGenerator
{
    /// <summary>Folder of DICOM files inside the output folder.</summary>
    public const string DicomFolder = "dicom";

    /// <summary>Folder of mask PNGs inside the output folder.</summary>
    public const string MaskFolder = "masks";

    /// <summary>Folder (under the output) of per-study brain-window montages with lesion outlines.</summary>
    public const string PreviewFolder = "preview";

    /// <summary>RSNA label file name.</summary>
    public const string RsnaLabelsFile = "stage_2_train.csv";

    /// <summary>Plain label file name.</summary>
    public const string LabelsFile = "labels.csv";

    private readonly PhantomOptions _options;
    private readonly StudySynthesizer _synthesizer;

    /// <summary>Creates the generator; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public PhantomGenerator(PhantomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _synthesizer = new StudySynthesizer(options);
        _options = options;
    }

    /// <summary>The options.</summary>
    public PhantomOptions Options => _options;

    /// <summary>Synthesises study <paramref name="studyIndex"/> in memory, exactly as <see cref="Generate"/> writes it.</summary>
    public PhantomStudy CreateStudy(int studyIndex, CancellationToken cancellationToken = default) =>
        _synthesizer.Synthesize(studyIndex, cancellationToken);

    /// <summary>Writes all studies under <paramref name="outputDirectory"/> (created if needed) and returns what was written.</summary>
    public PhantomSummary Generate(string outputDirectory, IProgress<PhantomProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var root = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(Path.Combine(root, DicomFolder));
        if (_options.WriteMasks)
        {
            Directory.CreateDirectory(Path.Combine(root, MaskFolder));
        }

        var rsnaRows = new List<(string, IReadOnlySet<HemorrhageSubtype>)>();
        var labelRows = new List<(string, string, string, string, IReadOnlySet<HemorrhageSubtype>)>();
        var studies = new List<PhantomStudySummary>();
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        int filesWritten = 0;
        for (int s = 0; s < _options.Studies; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var study = _synthesizer.Synthesize(s, cancellationToken);
            var files = new List<string>();
            for (int k = 0; k < study.Slices.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var slice = study.Slices[k];
                if (!usedIds.Add(slice.FileId))
                {
                    throw new InvalidOperationException($"file id {slice.FileId} was drawn twice; choose another seed");
                }

                var relative = DicomFolder + "/" + slice.FileId + ".dcm";
                var dataset = CtSliceDatasetBuilder.Build(study.Identity, slice.SopInstanceUid, slice.InstanceNumber, study.Grid, slice.PositionZMm, study.SliceThicknessMm, slice.Hu);
                DicomFileWriter.Save(Path.Combine(root, relative), dataset, TransferSyntax.ExplicitVRLittleEndian);
                if (_options.WriteMasks)
                {
                    AtomicFile.Write(Path.Combine(root, MaskFolder, slice.FileId + ".png"), stream =>
                        PngWriter.Write(stream, slice.LesionMask, study.Grid.Columns, study.Grid.Rows, 1));
                }

                files.Add(relative);
                rsnaRows.Add((slice.FileId, slice.PositiveSubtypes));
                labelRows.Add((relative, study.Identity.PatientId, study.Identity.StudyInstanceUid, study.Identity.SeriesInstanceUid, slice.PositiveSubtypes));
                filesWritten++;
                progress?.Report(new PhantomProgress(s + 1, _options.Studies, k + 1, study.Slices.Count, filesWritten));
            }

            if (_options.WriteMasks)
            {
                // A brain-window montage of every second slice with the bleed outlined, for a quick look.
                var shown = Enumerable.Range(0, study.Slices.Count).Where(k => k % 2 == 1).Select(k => study.Slices[k]).ToArray();
                BrainWindowMontage.Write(
                    Path.Combine(root, PreviewFolder, study.Identity.PatientId + ".png"),
                    shown.Select(x => x.Hu).ToArray(),
                    study.Grid.Rows,
                    study.Grid.Columns,
                    tilesPerRow: 6,
                    outlines: shown.Select(x => (byte[]?)x.LesionMask).ToArray());
            }

            studies.Add(new PhantomStudySummary
            {
                PatientId = study.Identity.PatientId,
                StudyInstanceUid = study.Identity.StudyInstanceUid,
                SeriesInstanceUid = study.Identity.SeriesInstanceUid,
                Subtypes = study.Lesions.Select(l => l.Subtype).ToArray(),
                Files = files,
                PositiveSliceCount = study.Slices.Count(x => x.IsPositive),
            });
        }

        var rsnaPath = Path.Combine(root, RsnaLabelsFile);
        var labelsPath = Path.Combine(root, LabelsFile);
        LabelTableWriter.WriteRsna(rsnaPath, rsnaRows);
        LabelTableWriter.WriteLabels(labelsPath, labelRows);
        return new PhantomSummary { OutputDirectory = root, Studies = studies, RsnaLabelsPath = rsnaPath, LabelsPath = labelsPath };
    }
}
