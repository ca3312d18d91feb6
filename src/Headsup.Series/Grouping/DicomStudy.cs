namespace Headsup.Series.Grouping;

/// <summary>The series of one study, ordered by Series Number then Series Instance UID.</summary>
public sealed class DicomStudy
{
    /// <summary>Creates the study.</summary>
    public DicomStudy(string studyInstanceUid, IReadOnlyList<DicomSeries> series)
    {
        StudyInstanceUid = studyInstanceUid;
        Series = series;
    }

    /// <summary>Study Instance UID.</summary>
    public string StudyInstanceUid { get; }

    /// <summary>The series.</summary>
    public IReadOnlyList<DicomSeries> Series { get; }

    /// <summary>Study Description of the first instance that has one.</summary>
    public string StudyDescription =>
        Series.SelectMany(s => s.Instances).Select(i => i.StudyDescription).FirstOrDefault(d => d.Length > 0) ?? string.Empty;

    /// <summary>Number of instances over all series.</summary>
    public int InstanceCount => Series.Sum(s => s.Instances.Count);

    /// <inheritdoc/>
    public override string ToString() => $"study \"{StudyDescription}\" ({Series.Count} series, {StudyInstanceUid})";
}
