namespace Headsup.Series.Grouping;

/// <summary>Groups instance headers by Study Instance UID, then Series Instance UID, in a deterministic order.</summary>
public static class StudyGrouper
{
    /// <summary>
    /// Groups the headers. Studies are ordered by UID; series by Series Number (absent last) then UID; instances by
    /// source name.
    /// </summary>
    public static IReadOnlyList<DicomStudy> Group(IEnumerable<InstanceHeader> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return instances
            .GroupBy(i => i.StudyInstanceUid, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(study => new DicomStudy(
                study.Key,
                study.GroupBy(i => i.SeriesInstanceUid, StringComparer.Ordinal)
                    .Select(series => new DicomSeries(
                        study.Key,
                        series.Key,
                        series.OrderBy(i => i.Source.Name, StringComparer.Ordinal).ThenBy(i => i.Source.Location, StringComparer.Ordinal).ToArray()))
                    .OrderBy(s => s.SeriesNumber ?? int.MaxValue)
                    .ThenBy(s => s.SeriesInstanceUid, StringComparer.Ordinal)
                    .ToArray()))
            .ToArray();
    }
}
