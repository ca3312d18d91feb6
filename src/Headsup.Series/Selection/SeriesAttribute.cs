using System.Text.Json.Serialization;
using Headsup.Series.Sorting;

namespace Headsup.Series.Selection;

/// <summary>
/// A series property a selection condition can test. Text attributes gather the distinct non-empty values over the
/// series' instances (Image Type and Convolution Kernel split into their values); numeric ones come from the sorted
/// series.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SeriesAttribute>))]
public enum SeriesAttribute
{
    /// <summary>Modality (text).</summary>
    Modality,

    /// <summary>SOP Class UID (text).</summary>
    SopClassUid,

    /// <summary>Image Type values (text).</summary>
    ImageType,

    /// <summary>Body Part Examined (text).</summary>
    BodyPartExamined,

    /// <summary>Study Description (text).</summary>
    StudyDescription,

    /// <summary>Series Description (text).</summary>
    SeriesDescription,

    /// <summary>Protocol Name (text).</summary>
    ProtocolName,

    /// <summary>Contrast/Bolus Agent (text).</summary>
    ContrastBolusAgent,

    /// <summary>Convolution Kernel values (text).</summary>
    ConvolutionKernel,

    /// <summary>Median Slice Thickness in mm (number).</summary>
    SliceThicknessMm,

    /// <summary>Median spacing between sorted slices in mm (number).</summary>
    SliceSpacingMm,

    /// <summary>Number of sorted slices (number).</summary>
    SliceCount,
}

/// <summary>Reads <see cref="SeriesAttribute"/> values from a sorted series.</summary>
internal static class SeriesAttributeValues
{
    public static bool IsNumeric(SeriesAttribute attribute) =>
        attribute is SeriesAttribute.SliceThicknessMm or SeriesAttribute.SliceSpacingMm or SeriesAttribute.SliceCount;

    public static IReadOnlyList<string> Texts(SortedSeries series, SeriesAttribute attribute)
    {
        var instances = series.Series.Instances;
        IEnumerable<string> values = attribute switch
        {
            SeriesAttribute.Modality => instances.Select(i => i.Modality),
            SeriesAttribute.SopClassUid => instances.Select(i => i.SopClassUid),
            SeriesAttribute.ImageType => instances.SelectMany(i => i.ImageType),
            SeriesAttribute.BodyPartExamined => instances.Select(i => i.BodyPartExamined),
            SeriesAttribute.StudyDescription => instances.Select(i => i.StudyDescription),
            SeriesAttribute.SeriesDescription => instances.Select(i => i.SeriesDescription),
            SeriesAttribute.ProtocolName => instances.Select(i => i.ProtocolName),
            SeriesAttribute.ContrastBolusAgent => instances.Select(i => i.ContrastBolusAgent),
            SeriesAttribute.ConvolutionKernel => instances.SelectMany(i => i.ConvolutionKernel.Split('\\')),
            _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "not a text attribute"),
        };
        return values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
    }

    public static double? Number(SortedSeries series, SeriesAttribute attribute) => attribute switch
    {
        SeriesAttribute.SliceThicknessMm => series.SliceThicknessMm,
        SeriesAttribute.SliceSpacingMm => series.SliceSpacingMm,
        SeriesAttribute.SliceCount => series.Slices.Count,
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "not a numeric attribute"),
    };
}
