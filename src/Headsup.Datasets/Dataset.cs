namespace Headsup.Datasets;

/// <summary>Something wrong with one row or file of a source; the rest of the source still loads.</summary>
/// <param name="File">The file (labels file, image, manifest) concerned.</param>
/// <param name="Message">What is wrong.</param>
public sealed record DatasetProblem(string File, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}: {Message}";
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
    /// Keep rows whose slice label is blank when a <c>study_any</c> label is given (e.g. CQ500 studies labelled per
    /// study), with <see cref="LabeledSample.AnyKnown"/> false, for study-level evaluation. Off by default: such rows
    /// are counted as unknown and skipped.
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

    /// <summary>Rows skipped because their <c>any</c> label was blank (unknown).</summary>
    public int UnknownLabels { get; }

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
