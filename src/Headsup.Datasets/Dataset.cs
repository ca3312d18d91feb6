namespace Headsup.Datasets;

/// <summary>What kind of problem a <see cref="DatasetProblem"/> is.</summary>
public enum DatasetProblemKind
{
    /// <summary>Any other problem (a manifest entry, a summary of problems not listed).</summary>
    Other,

    /// <summary>A row that cannot be read as a labelled row: no file name, or not as many fields as the header.</summary>
    MalformedRow,

    /// <summary>A label that is not 0 or 1 (also 0.0/1.0, true/false).</summary>
    InvalidLabel,

    /// <summary>
    /// Labels of a row that contradict each other or the row's study: a subtype 1 with <c>any</c> 0, a bleeding slice in a
    /// study labelled <c>study_any</c> 0, or a <c>study_any</c> that differs from an earlier row of the same study.
    /// </summary>
    InconsistentLabels,

    /// <summary>A file listed again with other labels (the first row is kept).</summary>
    ConflictingDuplicate,

    /// <summary>The image file a row names is not there.</summary>
    MissingFile,

    /// <summary>The image file is there but is not a readable DICOM, PNG or JPEG file.</summary>
    UnreadableFile,
}

/// <summary>Something wrong with one row or file of a source; the rest of the source still loads.</summary>
/// <param name="File">The file (labels file, image, manifest) concerned.</param>
/// <param name="Message">What is wrong.</param>
public sealed record DatasetProblem(string File, string Message)
{
    /// <summary>The 1-based line of <see cref="File"/> where the row starts, for a problem with one row of a labels file; else null.</summary>
    public long? Line { get; init; }

    /// <summary>What kind of problem this is.</summary>
    public DatasetProblemKind Kind { get; init; } = DatasetProblemKind.Other;

    /// <inheritdoc />
    public override string ToString() => Line is { } line ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{File} line {line}: {Message}") : $"{File}: {Message}";
}

/// <summary>Options for <see cref="DatasetLoader"/>.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>RSNA layout: the folder holding the <c>ID_*.dcm</c> files (default: stage_2_train, stage_2_train_images or dicom beside the CSV, else the CSV's folder; searched recursively).</summary>
    public string? ImageFolder { get; init; }

    /// <summary>Source name for samples whose labels file has no <c>source</c> column (default: "rsna", "phantom", or the labels file's folder name).</summary>
    public string? Source { get; init; }

    /// <summary>Read DICOM headers (patient, study, series, SOP UID, z, instance number) where the labels do not give them. Default true.</summary>
    public bool ReadDicomHeaders { get; init; } = true;

    /// <summary>Most individual problems listed per source; the rest are summed up in one problem. Default 1000.</summary>
    public int MaxProblems { get; init; } = 1000;

    /// <summary>
    /// Keep rows whose slice label is blank in a study labelled hemorrhage (<c>study_any</c> 1; e.g. CQ500 studies
    /// labelled per study, or reader feedback without slice labels), with <see cref="LabeledSample.AnyKnown"/> false, for
    /// study-level evaluation. Off by default: such rows are counted (<see cref="Dataset.StudyLabelOnlyRows"/>) and
    /// skipped. A blank slice label in a study labelled <c>study_any</c> 0 is a negative slice either way.
    /// </summary>
    public bool KeepStudyLabelledRows { get; init; }

    /// <summary>Parallelism for header reading (default: processor count, at most 8).</summary>
    public int MaxParallelism { get; init; } = Math.Min(Environment.ProcessorCount, 8);
}

/// <summary>Labelled samples loaded from one or more sources, with what could not be loaded.</summary>
public sealed class Dataset
{
    /// <summary>Creates the dataset.</summary>
    public Dataset(IReadOnlyList<LabeledSample> samples, IReadOnlyList<DatasetProblem> problems, int unknownLabels, string origin)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(problems);
        Samples = samples;
        Problems = problems;
        UnknownLabels = unknownLabels;
        Origin = origin;
    }

    /// <summary>The samples, in source order.</summary>
    public IReadOnlyList<LabeledSample> Samples { get; }

    /// <summary>Rows or files that could not be used (missing files, bad labels, conflicting duplicates, unreadable headers).</summary>
    public IReadOnlyList<DatasetProblem> Problems { get; }

    /// <summary>
    /// Rows skipped because their <c>any</c> label was blank (unknown), <see cref="StudyLabelOnlyRows"/> among them. A
    /// blank <c>any</c> in a study labelled <c>study_any</c> 0 is not unknown: the slice is negative.
    /// </summary>
    public int UnknownLabels { get; }

    /// <summary>
    /// Of <see cref="UnknownLabels"/>, the rows skipped because they are slices of a study labelled hemorrhage
    /// (<c>study_any</c> 1) without a slice label of their own: which slices of such a study bleed is not known, so they
    /// take no part in slice-level training or evaluation (they are kept, for the study label, only with
    /// <see cref="DatasetLoadOptions.KeepStudyLabelledRows"/>).
    /// </summary>
    public int StudyLabelOnlyRows { get; init; }

    /// <summary>
    /// Samples whose blank <c>any</c> was filled with 0 because their study is labelled <c>study_any</c> 0 (a study
    /// without hemorrhage has no bleeding slice; see <see cref="LabeledSample.AnyFromStudyLabel"/>).
    /// </summary>
    public int NegativeFromStudyLabel => Samples.Count(s => s.AnyFromStudyLabel);

    /// <summary>Rows dropped as exact duplicates of an earlier row.</summary>
    public int DuplicateRows { get; init; }

    /// <summary>Rows whose image file is absent.</summary>
    public int MissingFiles { get; init; }

    /// <summary>The path(s) loaded (several joined by ";").</summary>
    public string Origin { get; }

    /// <summary>Number of samples with any = 1.</summary>
    public int Positives => Samples.Count(s => s.Any == 1);

    /// <summary>Number of samples with any = 0.</summary>
    public int Negatives => Samples.Count(s => s.Any == 0);
}
