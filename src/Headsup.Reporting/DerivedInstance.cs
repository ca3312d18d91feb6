using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>The attributes every output instance shares: copied study context, SOP Common, equipment and provenance.</summary>
internal static class DerivedInstance
{
    /// <summary>Text of the disclaimer written into every output.</summary>
    public const string Disclaimer = "NOT FOR DIAGNOSTIC USE \u2014 research software, not validated";

    /// <summary>
    /// Starts a data set: Specific Character Set (UTF-8), SOP Common, the copied Patient / General Study / Patient
    /// Study modules, a General Series or SR Document Series core, General Equipment and the Contributing Equipment Sequence.
    /// </summary>
    public static DicomDataset Create(DerivedSeries series, AlgorithmIdentity algorithm, string sopClassUid, string? sopInstanceUid, string modality)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(algorithm);
        var dataset = new DicomDataset();
        dataset.AddString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        dataset.AddString(DicomTags.InstanceCreationDate, DicomText.Date(series.Created));
        dataset.AddString(DicomTags.InstanceCreationTime, DicomText.Time(series.Created));
        dataset.AddString(DicomTags.SOPClassUID, sopClassUid, DicomVR.UI);
        var instanceUid = sopInstanceUid is null ? DicomUid.Generate() : DicomText.RequireNewUid(sopInstanceUid, nameof(sopInstanceUid));
        dataset.AddString(DicomTags.SOPInstanceUID, instanceUid, DicomVR.UI);
        SourceModules.CopyInto(series.Source, dataset);

        // General Series / SR Document Series
        dataset.AddString(DicomTags.Modality, modality);
        dataset.AddString(DicomTags.SeriesInstanceUID, series.SeriesInstanceUid, DicomVR.UI);
        dataset.AddString(DicomTags.SeriesNumber, series.SeriesNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), DicomVR.IS);
        dataset.AddString(DicomTags.SeriesDate, DicomText.Date(series.Created));
        dataset.AddString(DicomTags.SeriesTime, DicomText.Time(series.Created));
        dataset.AddString(DicomTags.SeriesDescription, series.MarkedSeriesDescription);

        // General Equipment: the equipment that made this instance is the algorithm.
        dataset.AddString(DicomTags.Manufacturer, algorithm.Manufacturer);
        dataset.AddString(DicomTags.ManufacturerModelName, algorithm.Name);
        dataset.AddString(DicomTags.SoftwareVersions, algorithm.Version);
        dataset.AddString(DicomTags.DeviceSerialNumber, algorithm.WeightsSha256);
        dataset.AddSequence(DicomTags.ContributingEquipmentSequence, ContributingEquipment(algorithm, series.Created));
        return dataset;
    }

    /// <summary>
    /// One Contributing Equipment item (PS3.3 C.12.1.1.5, as the IHE AI Results profile asks): model name, version,
    /// weights hash (Device Serial Number) and purpose "Processing Equipment".
    /// </summary>
    public static DicomDataset ContributingEquipment(AlgorithmIdentity algorithm, DateTime created)
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.Manufacturer, algorithm.Manufacturer);
        item.AddString(DicomTags.ManufacturerModelName, algorithm.Name);
        item.AddString(DicomTags.DeviceSerialNumber, algorithm.WeightsSha256);
        item.AddString(DicomTags.SoftwareVersions, algorithm.Version);
        item.AddSequence(DicomTags.PurposeOfReferenceCodeSequence, ReportCodes.ProcessingEquipment.ToItem());
        item.AddString(DicomTags.ContributionDateTime, DicomText.DateTimeValue(created));
        item.AddString(DicomTags.ContributionDescription, $"{algorithm.Name} {algorithm.Version}, weights SHA-256 {algorithm.WeightsSha256}; {Disclaimer}");
        return item;
    }

    /// <summary>An item referencing one SOP instance (Referenced SOP Class and Instance UID).</summary>
    public static DicomDataset SopReference(string sopClassUid, string sopInstanceUid)
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.ReferencedSOPClassUID, sopClassUid, DicomVR.UI);
        item.AddString(DicomTags.ReferencedSOPInstanceUID, sopInstanceUid, DicomVR.UI);
        return item;
    }
}
