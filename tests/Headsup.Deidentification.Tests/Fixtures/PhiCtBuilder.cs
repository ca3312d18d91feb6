using System.Buffers.Binary;
using Headsup.Dicom;
using Headsup.Dicom.Writing;

namespace Headsup.Deidentification.Tests.Fixtures;

/// <summary>Who and what a synthetic PHI-laden CT slice describes.</summary>
/// <param name="PatientId">Patient ID.</param>
/// <param name="PatientName">Patient's Name.</param>
/// <param name="StudyUid">Study Instance UID.</param>
/// <param name="SeriesUid">Series Instance UID.</param>
/// <param name="SopUid">SOP Instance UID.</param>
/// <param name="ReferencedSopUid">The SOP Instance UID the slice references (Referenced and Source Image Sequences).</param>
/// <param name="StudyDate">Study Date (YYYYMMDD).</param>
public sealed record PhiSlice(string PatientId, string PatientName, string StudyUid, string SeriesUid, string SopUid, string ReferencedSopUid, string StudyDate = "20230415")
{
    /// <summary>Burned In Annotation value.</summary>
    public string BurnedInAnnotation { get; init; } = "NO";

    /// <summary>Frame of Reference UID.</summary>
    public string FrameOfReferenceUid { get; init; } = "1.2.826.0.1.3680043.10.1.77.1";
}

/// <summary>
/// Builds a CT Image Storage slice, with the project's own writer, that carries as much identifying information as a
/// real one can: names, IDs, dates, addresses, phone numbers, institution, physicians, operators, device identity,
/// request attributes, other patient IDs (text and sequence), references to other instances in sequences, an icon
/// image, an overlay, a curve, private groups (text and a sequence) and trailing padding.
/// </summary>
internal static class PhiCtBuilder
{
    /// <summary>Overlay and curve groups are repeating groups: the generated catalogue has no names for them.</summary>
    public static readonly DicomTag OverlayRows = new(0x6000, 0x0010);
    public static readonly DicomTag OverlayColumns = new(0x6000, 0x0011);
    public static readonly DicomTag OverlayType = new(0x6000, 0x0040);
    public static readonly DicomTag OverlayOrigin = new(0x6000, 0x0050);
    public static readonly DicomTag OverlayBitsAllocated = new(0x6000, 0x0100);
    public static readonly DicomTag OverlayBitPosition = new(0x6000, 0x0102);
    public static readonly DicomTag OverlayData = new(0x6000, 0x3000);
    public static readonly DicomTag OverlayComments = new(0x6000, 0x4000);
    public static readonly DicomTag CurveData = new(0x5000, 0x3000);
    /// <summary>Other Patient IDs (0010,1000) is retired, so the generated catalogue has no name for it; files still carry it.</summary>
    public static readonly DicomTag OtherPatientIds = new(0x0010, 0x1000);
    public static readonly DicomTag PrivateCreator = new(0x0009, 0x0010);
    public static readonly DicomTag PrivateName = new(0x0009, 0x1001);
    public static readonly DicomTag PrivateSequence = new(0x0009, 0x1002);

    /// <summary>The values written that identify the patient, the site or the staff; none may survive de-identification.</summary>
    public static IReadOnlyList<string> IdentifyingValues(PhiSlice slice) =>
    [
        slice.PatientId, slice.PatientName, "ACC-998877", "General Hospital of Testing", "1 Main Street, Testville", "Dr^Referrer",
        "555-0100", "Dr^Record", "Dr^Reader", "Op^Erator", "CTSTATION7", "SN-123456", "Mother^Maiden", "Doe^Birthname",
        "12 Elm Road", "MRN-ALT-42", "Alias^Other", "Captain", "Radiology West", "Dr^Requester", "STUDY-ID-55",
        "ADM-777", "secret private note",
    ];

    public static DicomDataset Build(PhiSlice s)
    {
        var ds = new DicomDataset();
        ds.AddString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.AddStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddString(DicomTags.InstanceCreationDate, s.StudyDate);
        ds.AddString(DicomTags.InstanceCreationTime, "101530");
        ds.AddString(DicomTags.InstanceCreatorUID, "1.2.826.0.1.3680043.10.1.77.900");
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, s.SopUid);
        ds.AddString(DicomTags.StudyDate, s.StudyDate);
        ds.AddString(DicomTags.SeriesDate, s.StudyDate);
        ds.AddString(DicomTags.AcquisitionDate, s.StudyDate);
        ds.AddString(DicomTags.ContentDate, s.StudyDate);
        ds.AddString(DicomTags.AcquisitionDateTime, s.StudyDate + "101500.25+0100");
        ds.AddString(DicomTags.StudyTime, "101000");
        ds.AddString(DicomTags.SeriesTime, "101200");
        ds.AddString(DicomTags.AcquisitionTime, "101500");
        ds.AddString(DicomTags.ContentTime, "101530");
        ds.AddString(DicomTags.AccessionNumber, "ACC-998877");
        ds.AddString(DicomTags.Modality, "CT");
        ds.AddString(DicomTags.Manufacturer, "ACME MEDICAL");
        ds.AddString(DicomTags.InstitutionName, "General Hospital of Testing");
        ds.AddString(DicomTags.InstitutionAddress, "1 Main Street, Testville");
        ds.AddString(DicomTags.ReferringPhysicianName, "Dr^Referrer");
        ds.AddString(DicomTags.ReferringPhysicianTelephoneNumbers, "555-0100");
        ds.AddString(DicomTags.StationName, "CTSTATION7");
        ds.AddString(DicomTags.StudyDescription, "CT HEAD for Doe");
        ds.AddString(DicomTags.SeriesDescription, "AXIAL 5MM");
        ds.AddString(DicomTags.InstitutionalDepartmentName, "Radiology West");
        ds.AddString(DicomTags.PhysiciansOfRecord, "Dr^Record");
        ds.AddString(DicomTags.PerformingPhysicianName, "Dr^Performer");
        ds.AddString(DicomTags.NameOfPhysiciansReadingStudy, "Dr^Reader");
        ds.AddString(DicomTags.OperatorsName, "Op^Erator");
        ds.AddString(DicomTags.AdmittingDiagnosesDescription, "headache after fall at home");
        ds.AddString(DicomTags.ManufacturerModelName, "SCANMASTER 64");
        ds.AddSequence(DicomTags.ReferencedStudySequence, Reference("1.2.840.10008.3.1.2.3.1", s.StudyUid));
        ds.AddSequence(DicomTags.ReferencedPatientSequence, Reference("1.2.840.10008.3.1.2.1.1", "1.2.826.0.1.3680043.10.1.77.901"));
        ds.AddSequence(DicomTags.ReferencedImageSequence, Reference(DicomUid.CTImageStorage, s.ReferencedSopUid));
        ds.AddString(DicomTags.DerivationDescription, "reformatted by Op^Erator");
        ds.AddSequence(DicomTags.SourceImageSequence, Reference(DicomUid.CTImageStorage, s.ReferencedSopUid));
        ds.AddString(DicomTags.IrradiationEventUID, "1.2.826.0.1.3680043.10.1.77.902");
        ds.AddString(DicomTags.PatientName, s.PatientName);
        ds.AddString(DicomTags.PatientID, s.PatientId);
        ds.AddString(DicomTags.IssuerOfPatientID, "HOSPITAL MRN");
        ds.AddString(DicomTags.PatientBirthDate, "19610203");
        ds.AddString(DicomTags.PatientBirthTime, "0630");
        ds.AddString(DicomTags.PatientSex, "M");
        ds.AddString(OtherPatientIds, "MRN-ALT-42");
        ds.AddString(DicomTags.OtherPatientNames, "Alias^Other");
        var otherId = new DicomDataset();
        otherId.AddString(DicomTags.PatientID, "MRN-ALT-42");
        otherId.AddString(DicomTags.TypeOfPatientID, "TEXT");
        ds.AddSequence(DicomTags.OtherPatientIDsSequence, otherId);
        ds.AddString(DicomTags.PatientBirthName, "Doe^Birthname");
        ds.AddString(DicomTags.PatientAge, "062Y");
        ds.AddDecimalStrings(DicomTags.PatientSize, 1.82);
        ds.AddDecimalStrings(DicomTags.PatientWeight, 81.5);
        ds.AddString(DicomTags.PatientAddress, "12 Elm Road");
        ds.AddString(DicomTags.PatientMotherBirthName, "Mother^Maiden");
        ds.AddString(DicomTags.MilitaryRank, "Captain");
        ds.AddString(DicomTags.CountryOfResidence, "Testland");
        ds.AddString(DicomTags.PatientTelephoneNumbers, "555-0199");
        ds.AddString(DicomTags.EthnicGroup, "NONE");
        ds.AddString(DicomTags.Occupation, "Engineer");
        ds.AddString(DicomTags.AdditionalPatientHistory, "fell from ladder at 12 Elm Road");
        ds.AddString(DicomTags.PatientComments, "prefers mornings");
        ds.AddString(DicomTags.ContrastBolusAgent, string.Empty);
        ds.AddString(DicomTags.BodyPartExamined, "HEAD");
        ds.AddDecimalStrings(DicomTags.SliceThickness, 5);
        ds.AddDecimalStrings(DicomTags.KVP, 120);
        ds.AddString(DicomTags.DeviceSerialNumber, "SN-123456");
        ds.AddString(DicomTags.DeviceUID, "1.2.826.0.1.3680043.10.1.77.903");
        ds.AddString(DicomTags.SoftwareVersions, "VA40");
        ds.AddString(DicomTags.ProtocolName, "HEAD ROUTINE Doe");
        ds.AddString(DicomTags.DateOfLastCalibration, "20230101");
        ds.AddString(DicomTags.GantryID, "GANTRY-9");
        ds.AddString(DicomTags.PatientPosition, "HFS");
        ds.AddString(DicomTags.StudyInstanceUID, s.StudyUid);
        ds.AddString(DicomTags.SeriesInstanceUID, s.SeriesUid);
        ds.AddString(DicomTags.StudyID, "STUDY-ID-55");
        ds.AddString(DicomTags.SeriesNumber, "2", DicomVR.IS);
        ds.AddString(DicomTags.AcquisitionNumber, "1", DicomVR.IS);
        ds.AddString(DicomTags.InstanceNumber, "7", DicomVR.IS);
        ds.AddDecimalStrings(DicomTags.ImagePositionPatient, -125, -125, 30);
        ds.AddDecimalStrings(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        ds.AddString(DicomTags.FrameOfReferenceUID, s.FrameOfReferenceUid);
        ds.AddString(DicomTags.PositionReferenceIndicator, string.Empty);
        ds.AddString(DicomTags.ImageComments, "called Dr^Referrer at 555-0100");
        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddUInt16(DicomTags.Rows, 8);
        ds.AddUInt16(DicomTags.Columns, 8);
        ds.AddDecimalStrings(DicomTags.PixelSpacing, 0.5, 0.5);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 12);
        ds.AddUInt16(DicomTags.HighBit, 11);
        ds.AddUInt16(DicomTags.PixelRepresentation, 0);
        ds.AddString(DicomTags.BurnedInAnnotation, s.BurnedInAnnotation);
        ds.AddDecimalStrings(DicomTags.WindowCenter, 40);
        ds.AddDecimalStrings(DicomTags.WindowWidth, 80);
        ds.AddDecimalStrings(DicomTags.RescaleIntercept, -1024);
        ds.AddDecimalStrings(DicomTags.RescaleSlope, 1);
        ds.AddString(DicomTags.RequestingPhysician, "Dr^Requester");
        ds.AddString(DicomTags.RequestedProcedureDescription, "CT head for Doe^John");
        ds.AddString(DicomTags.AdmissionID, "ADM-777");
        ds.AddString(DicomTags.PerformedProcedureStepStartDate, s.StudyDate);
        ds.AddString(DicomTags.PerformedProcedureStepStartTime, "101000");
        ds.AddString(DicomTags.PerformedProcedureStepID, "PPS-1");
        ds.AddString(DicomTags.PerformedProcedureStepDescription, "CT head");
        var request = new DicomDataset();
        request.AddString(DicomTags.RequestedProcedureID, "REQ-31");
        request.AddString(DicomTags.ScheduledProcedureStepID, "SPS-31");
        ds.AddSequence(DicomTags.RequestAttributesSequence, request);
        ds.AddSequence(DicomTags.IconImageSequence, Icon());
        ds.AddUInt16(OverlayRows, 8);
        ds.AddUInt16(OverlayColumns, 8);
        ds.AddString(OverlayType, "G", DicomVR.CS);
        ds.AddBytes(OverlayOrigin, DicomVR.SS, new byte[] { 1, 0, 1, 0 });
        ds.AddUInt16(OverlayBitsAllocated, 1);
        ds.AddUInt16(OverlayBitPosition, 0);
        ds.AddBytes(OverlayData, DicomVR.OW, new byte[8]);
        ds.AddString(OverlayComments, "Doe^John marker", DicomVR.LT);
        ds.AddBytes(CurveData, DicomVR.OB, new byte[] { 1, 2, 3, 4 });
        ds.AddString(PrivateCreator, "ACME PRIVATE", DicomVR.LO);
        ds.AddString(PrivateName, "secret private note", DicomVR.LO);
        var privateItem = new DicomDataset();
        privateItem.AddString(DicomTags.PatientName, s.PatientName);
        ds.AddSequence(PrivateSequence, privateItem);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, Pixels());
        ds.AddBytes(DicomTags.DataSetTrailingPadding, DicomVR.OB, new byte[4]);
        return ds;
    }

    /// <summary>Writes <paramref name="slice"/> to <paramref name="path"/> in <paramref name="syntax"/> (explicit VR little endian by default).</summary>
    public static string Write(string path, PhiSlice slice, TransferSyntax? syntax = null)
    {
        DicomFileWriter.Save(path, Build(slice), syntax ?? TransferSyntax.ExplicitVRLittleEndian);
        return path;
    }

    /// <summary>The 8×8 pixel values written (stored values 0..4095).</summary>
    public static byte[] Pixels()
    {
        var bytes = new byte[8 * 8 * 2];
        for (int i = 0; i < 64; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(1000 + (i * 37 % 200)));
        }

        return bytes;
    }

    private static DicomDataset Reference(string sopClass, string sopInstance)
    {
        var item = new DicomDataset();
        item.AddString(DicomTags.ReferencedSOPClassUID, sopClass);
        item.AddString(DicomTags.ReferencedSOPInstanceUID, sopInstance);
        return item;
    }

    private static DicomDataset Icon()
    {
        var icon = new DicomDataset();
        icon.AddUInt16(DicomTags.SamplesPerPixel, 1);
        icon.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        icon.AddUInt16(DicomTags.Rows, 2);
        icon.AddUInt16(DicomTags.Columns, 2);
        icon.AddUInt16(DicomTags.BitsAllocated, 8);
        icon.AddUInt16(DicomTags.BitsStored, 8);
        icon.AddUInt16(DicomTags.HighBit, 7);
        icon.AddUInt16(DicomTags.PixelRepresentation, 0);
        icon.AddBytes(DicomTags.PixelData, DicomVR.OB, new byte[] { 10, 20, 30, 40 });
        return icon;
    }
}
