using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>
/// A new series inside the study of <paramref name="Source"/>: the outputs keep its Study Instance UID and copy its
/// Patient, General Study and Patient Study modules, and get their own series and instance UIDs.
/// </summary>
/// <param name="Source">An instance of the analysed series (its header is enough; pixel data is not read).</param>
/// <param name="SeriesInstanceUid">UID of the new series (digits and dots, at most 64 characters).</param>
/// <param name="SeriesNumber">Series Number of the new series.</param>
/// <param name="SeriesDescription">Series Description; "NOT FOR DIAGNOSTIC USE" is appended unless already present.</param>
/// <param name="Created">When the outputs were made; written as series, content and instance creation date and time.</param>
public sealed record DerivedSeries(DicomDataset Source, string SeriesInstanceUid, int SeriesNumber, string SeriesDescription, DateTime Created)
{
    /// <summary>The phrase every output carries in its descriptions and comments.</summary>
    public const string NotForDiagnosticUse = "NOT FOR DIAGNOSTIC USE";

    /// <summary>The source instance header.</summary>
    public DicomDataset Source { get; init; } = Source ?? throw new ArgumentNullException(nameof(Source));

    /// <summary>UID of the new series.</summary>
    public string SeriesInstanceUid { get; init; } = DicomText.RequireNewUid(SeriesInstanceUid, nameof(SeriesInstanceUid));

    /// <summary>Series Number (IS, 0 or more).</summary>
    public int SeriesNumber { get; init; } = SeriesNumber >= 0
        ? SeriesNumber
        : throw new ArgumentOutOfRangeException(nameof(SeriesNumber), SeriesNumber, "SeriesNumber must not be negative");

    /// <summary>Series Description as given.</summary>
    public string SeriesDescription { get; init; } = SeriesDescription ?? throw new ArgumentNullException(nameof(SeriesDescription));

    /// <summary>The description as written: marked "NOT FOR DIAGNOSTIC USE" and at most 64 characters (LO).</summary>
    /// <exception cref="ArgumentException">The marked description is longer than 64 characters.</exception>
    public string MarkedSeriesDescription
    {
        get
        {
            var text = SeriesDescription.Contains(NotForDiagnosticUse, StringComparison.OrdinalIgnoreCase)
                ? SeriesDescription
                : SeriesDescription.Length == 0 ? NotForDiagnosticUse : $"{SeriesDescription} - {NotForDiagnosticUse}";
            return DicomText.RequireLongString(text, nameof(SeriesDescription));
        }
    }
}
