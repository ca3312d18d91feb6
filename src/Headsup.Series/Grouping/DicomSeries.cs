namespace Headsup.Series.Grouping;

/// <summary>The instances of one series, in source-name order (not yet sorted in space).</summary>
public sealed class DicomSeries
{
    /// <summary>Creates the series.</summary>
    public DicomSeries(string studyInstanceUid, string seriesInstanceUid, IReadOnlyList<InstanceHeader> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
        {
            throw new ArgumentException("a series needs at least one instance", nameof(instances));
        }

        StudyInstanceUid = studyInstanceUid;
        SeriesInstanceUid = seriesInstanceUid;
        Instances = instances;
    }

    /// <summary>Study Instance UID.</summary>
    public string StudyInstanceUid { get; }

    /// <summary>Series Instance UID.</summary>
    public string SeriesInstanceUid { get; }

    /// <summary>The instances, ordered by source name.</summary>
    public IReadOnlyList<InstanceHeader> Instances { get; }

    /// <summary>Modality of the first instance.</summary>
    public string Modality => Instances[0].Modality;

    /// <summary>Series Number of the first instance that has one.</summary>
    public int? SeriesNumber => Instances.Select(i => i.SeriesNumber).FirstOrDefault(n => n.HasValue);

    /// <summary>Series Description of the first instance that has one.</summary>
    public string SeriesDescription => Instances.Select(i => i.SeriesDescription).FirstOrDefault(d => d.Length > 0) ?? string.Empty;

    /// <inheritdoc/>
    public override string ToString() =>
        $"series {SeriesNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} \"{SeriesDescription}\" ({Modality}, {Instances.Count} instances, {SeriesInstanceUid})";
}
