using Headsup.Dicom;
using Headsup.Series.Grouping;
using Headsup.Series.Sources;

namespace Headsup.Series;

/// <summary>
/// Entry point of study assembly: reads the headers of every DICOM instance under a file, a folder (recursively) or a
/// zip archive, and groups them into studies and series. Files that are not DICOM or cannot be read, and dangling
/// symbolic links, are reported in <see cref="ScanResult.Failures"/> and the scan goes on; DICOMDIR files and symbolic
/// link loops are skipped with a note (<see cref="InputWalker"/> follows links to folders and files).
/// </summary>
public static class StudyScanner
{
    private const string DicomDirFileName = "DICOMDIR";

    /// <summary>Scans an input.</summary>
    /// <param name="input">A DICOM file, a folder, or a .zip file.</param>
    /// <param name="options">Limits; <see cref="ScanOptions.Default"/> when null.</param>
    /// <param name="progress">Receives progress after each source.</param>
    /// <param name="cancellationToken">Stops the scan between sources.</param>
    /// <exception cref="ScanInputException">The input does not exist or cannot be listed.</exception>
    /// <exception cref="ArchiveException">
    /// The input is a zip archive that is unsafe (an entry escapes the root), breaks a limit or is corrupt. Archives
    /// found inside a folder are reported as failures instead.
    /// </exception>
    public static ScanResult Scan(string input, ScanOptions? options = null, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= ScanOptions.Default;
        var listing = InputWalker.List(input, cancellationToken);
        var files = listing.Files;
        bool singleArchive = files.Count == 1 && files[0].IsArchive && File.Exists(input);
        var state = new ScanState(options, progress, files.Count, cancellationToken);
        state.Failures.AddRange(listing.Failures);
        state.Skipped.AddRange(listing.Skipped);

        for (int f = 0; f < files.Count && !state.Stopped; f++)
        {
            var file = files[f];
            if (file.IsArchive)
            {
                try
                {
                    ScanArchive(file, state);
                }
                catch (ArchiveException ex) when (!singleArchive)
                {
                    state.Failures.Add(new ScanFailure(file.FullPath, "archive refused: " + ex.Problem + (ex.Entry is null ? string.Empty : $" (entry \"{ex.Entry}\")"), ex));
                }
            }
            else
            {
                var source = new FileDicomSource(file.FullPath, file.Name);
                ScanSource(source, source.OpenRead, state);
            }

            state.InputFilesScanned = f + 1;
        }

        return new ScanResult(StudyGrouper.Group(state.Headers), state.Failures, state.Skipped, state.SourcesScanned)
        {
            Input = input,
            InputIsSingleFile = files.Count == 1 && !files[0].IsArchive && File.Exists(input),
        };
    }

    private static void ScanArchive(InputFile file, ScanState state)
    {
        using var archive = ZipSourceArchive.Open(file.FullPath, state.Options.Archive);
        foreach (var entry in archive.Sources)
        {
            if (state.Stopped)
            {
                break;
            }

            ScanSource(entry, () => archive.OpenEntry(entry), state);
        }
    }

    private static void ScanSource(DicomSource source, Func<Stream> open, ScanState state)
    {
        state.CancellationToken.ThrowIfCancellationRequested();
        state.SourcesScanned++;
        try
        {
            var fileName = source.Name[(source.Name.LastIndexOf('/') + 1)..];
            if (string.Equals(fileName, DicomDirFileName, StringComparison.OrdinalIgnoreCase))
            {
                state.Skipped.Add(new ScanFailure(source.Location, "DICOMDIR media directory skipped (by file name)"));
                return;
            }

            DicomFile file;
            try
            {
                using var stream = open();
                file = DicomHeaderReader.Read(stream, source.Location, state.Options.HeaderPrefixBytes, state.Options.MaxFileBytes);
            }
            catch (DicomParseException ex)
            {
                var reason = ex.Problem.StartsWith("not a DICOM file", StringComparison.Ordinal) ? "not a DICOM file" : "unreadable DICOM: " + ex.Message;
                state.Failures.Add(new ScanFailure(source.Location, reason, ex));
                return;
            }
            catch (CorruptArchiveException ex)
            {
                state.Failures.Add(new ScanFailure(source.Location, "cannot inflate the archive entry: " + ex.Problem, ex));
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                state.Failures.Add(new ScanFailure(source.Location, "cannot read the file: " + ex.Message, ex));
                return;
            }

            var sopClass = file.FileMetaInformation.GetStringOrDefault(DicomTags.MediaStorageSOPClassUID);
            if (sopClass.Length == 0)
            {
                sopClass = file.Dataset.GetStringOrDefault(DicomTags.SOPClassUID);
            }

            if (sopClass == DicomUid.MediaStorageDirectoryStorage)
            {
                state.Skipped.Add(new ScanFailure(source.Location, "DICOMDIR media directory skipped (by SOP class)"));
                return;
            }

            InstanceHeader header;
            try
            {
                header = InstanceHeaderReader.Read(file, source);
            }
            catch (DicomAttributeException ex)
            {
                state.Failures.Add(new ScanFailure(source.Location, "cannot be grouped: " + ex.Message, ex));
                return;
            }

            if (state.Headers.Count >= state.Options.MaxInstances)
            {
                state.Failures.Add(new ScanFailure(source.Location, $"instance limit of {state.Options.MaxInstances} reached: this and later files were not scanned"));
                state.Stopped = true;
                return;
            }

            state.Headers.Add(header);
        }
        finally
        {
            state.Progress?.Report(new ScanProgress(state.SourcesScanned, state.InputFilesScanned, state.InputFilesTotal, source.Name));
        }
    }

    private sealed class ScanState(ScanOptions options, IProgress<ScanProgress>? progress, int inputFilesTotal, CancellationToken cancellationToken)
    {
        public ScanOptions Options { get; } = options;

        public IProgress<ScanProgress>? Progress { get; } = progress;

        public int InputFilesTotal { get; } = inputFilesTotal;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public List<InstanceHeader> Headers { get; } = [];

        public List<ScanFailure> Failures { get; } = [];

        public List<ScanFailure> Skipped { get; } = [];

        public int SourcesScanned { get; set; }

        public int InputFilesScanned { get; set; }

        public bool Stopped { get; set; }
    }
}
