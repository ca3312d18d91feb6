using System.Globalization;
using Headsup.Dicom;

namespace Headsup.Reporting;

/// <summary>
/// Builds a Secondary Capture Image (SOP Class 1.2.840.10008.5.1.4.1.1.7, PS3.3 A.8.1) holding an RGB rendering made
/// by the caller (banner and overlays already burnt in): Patient, General Study and Patient Study copied from the
/// source, General Series, General Equipment, SC Equipment, General Image, Image Pixel, SC Image and SOP Common.
/// </summary>
public static class SecondaryCaptureBuilder
{
    /// <summary>Creates the data set. Write it with <c>DicomFileWriter.Save(path, dataset, TransferSyntax.ExplicitVRLittleEndian)</c>.</summary>
    /// <param name="series">The new series and the source instance whose study it joins.</param>
    /// <param name="algorithm">The algorithm, for equipment and provenance attributes.</param>
    /// <param name="image">The rendering, 8-bit RGB interleaved.</param>
    /// <param name="instanceNumber">Instance Number within the new series (0 or more).</param>
    /// <param name="sourceImage">The CT slice the rendering shows, referenced from Source and Referenced Image Sequences; null for none.</param>
    /// <param name="sopInstanceUid">SOP Instance UID to use; a new one is generated when null.</param>
    /// <exception cref="ArgumentException">An input is inconsistent (the message names it).</exception>
    public static DicomDataset Create(DerivedSeries series, AlgorithmIdentity algorithm, RgbImage image, int instanceNumber, ReferencedImage? sourceImage, string? sopInstanceUid = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(instanceNumber);
        var dataset = DerivedInstance.Create(series, algorithm, DicomUid.SecondaryCaptureImageStorage, sopInstanceUid, "OT");

        // General Series (C.7.3.1): Body Part Examined HEAD (the analysed series is a head CT). It also settles the
        // Type 2C condition of Laterality, which applies to paired body parts only, so Laterality is left out.
        dataset.AddString(DicomTags.BodyPartExamined, "HEAD");

        // General Image (C.7.6.1) and SC Image (C.8.6.2)
        dataset.AddStrings(DicomTags.ImageType, "DERIVED", "SECONDARY");
        dataset.AddString(DicomTags.InstanceNumber, instanceNumber.ToString(CultureInfo.InvariantCulture), DicomVR.IS);
        dataset.AddString(DicomTags.PatientOrientation, string.Empty);
        dataset.AddString(DicomTags.ContentDate, DicomText.Date(series.Created));
        dataset.AddString(DicomTags.ContentTime, DicomText.Time(series.Created));
        dataset.AddString(DicomTags.DateOfSecondaryCapture, DicomText.Date(series.Created));
        dataset.AddString(DicomTags.TimeOfSecondaryCapture, DicomText.Time(series.Created));
        dataset.AddString(DicomTags.BurnedInAnnotation, "YES");
        dataset.AddString(DicomTags.LossyImageCompression, "00");
        dataset.AddString(DicomTags.ImageComments, ImageComments(algorithm, sourceImage));
        dataset.AddString(DicomTags.DerivationDescription, DerivationDescription(algorithm, sourceImage));
        if (sourceImage is not null)
        {
            var source = DerivedInstance.SopReference(sourceImage.SopClassUid, sourceImage.SopInstanceUid);
            source.AddSequence(DicomTags.PurposeOfReferenceCodeSequence, ReportCodes.SourceImageForProcessing.ToItem());
            dataset.AddSequence(DicomTags.SourceImageSequence, source);
            dataset.AddSequence(DicomTags.ReferencedImageSequence, DerivedInstance.SopReference(sourceImage.SopClassUid, sourceImage.SopInstanceUid));
        }

        // SC Equipment (C.8.6.1): WSD = workstation.
        dataset.AddString(DicomTags.ConversionType, "WSD");
        dataset.AddString(DicomTags.SecondaryCaptureDeviceManufacturer, algorithm.Manufacturer);
        dataset.AddString(DicomTags.SecondaryCaptureDeviceManufacturerModelName, algorithm.Name);
        dataset.AddString(DicomTags.SecondaryCaptureDeviceSoftwareVersions, algorithm.Version);

        // Image Pixel (C.7.6.3): RGB, interleaved, 8 bits.
        dataset.AddUInt16(DicomTags.SamplesPerPixel, 3);
        dataset.AddString(DicomTags.PhotometricInterpretation, "RGB");
        dataset.AddUInt16(DicomTags.PlanarConfiguration, 0);
        dataset.AddUInt16(DicomTags.Rows, (ushort)image.Rows);
        dataset.AddUInt16(DicomTags.Columns, (ushort)image.Columns);
        dataset.AddUInt16(DicomTags.BitsAllocated, 8);
        dataset.AddUInt16(DicomTags.BitsStored, 8);
        dataset.AddUInt16(DicomTags.HighBit, 7);
        dataset.AddUInt16(DicomTags.PixelRepresentation, 0);
        dataset.AddBytes(DicomTags.PixelData, DicomVR.OB, image.Pixels);
        return dataset;
    }

    private static string ImageComments(AlgorithmIdentity algorithm, ReferencedImage? sourceImage) =>
        $"{DerivedInstance.Disclaimer}. Rendered by {algorithm.Name} {algorithm.Version}{SliceText(sourceImage)}.";

    /// <summary>Derivation Description (ST, at most 1024 characters; the parts are bounded, so about 300 at most).</summary>
    private static string DerivationDescription(AlgorithmIdentity algorithm, ReferencedImage? sourceImage) =>
        $"Rendering of an intracranial hemorrhage triage result by {algorithm.Name} {algorithm.Version} (weights SHA-256 {algorithm.WeightsSha256}){SliceText(sourceImage)}; annotations burnt in";

    private static string SliceText(ReferencedImage? slice)
    {
        if (slice is null)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        if (slice.InstanceNumber is int number)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"instance {number}"));
        }

        if (slice.Z is double z && double.IsFinite(z))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"z {z:0.##} mm"));
        }

        return parts.Count == 0 ? " from a CT slice" : $" from CT slice ({string.Join(", ", parts)})";
    }
}
