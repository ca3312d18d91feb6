using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Series.Grouping;
using Headsup.Series.Sources;

namespace Headsup.Series.Tests;

/// <summary>Describes a small synthetic series (8×8 pixels per slice) written with the project's own writer.</summary>
internal sealed record SeriesSpec
{
    public static readonly double[] Axial = [1, 0, 0, 0, 1, 0];
    public static readonly double[] Sagittal = [0, 1, 0, 0, 0, -1];

    public string StudyUid { get; init; } = "1.2.826.0.1.3680043.9.1.1";
    public string SeriesUid { get; init; } = "1.2.826.0.1.3680043.9.1.1.1";
    public int SeriesNumber { get; init; } = 2;
    public string Modality { get; init; } = "CT";
    public string SopClassUid { get; init; } = DicomUid.CTImageStorage;
    public double[] Orientation { get; init; } = Axial;
    public IReadOnlyList<double> PositionsMm { get; init; } = Enumerable.Range(0, 12).Select(i => i * 5.0).ToArray();
    public Vector3D Origin { get; init; } = new(-120, -130, 0);
    public Vector3D ShearPerSliceMm { get; init; } = new(0, 0, 0);
    public double SliceThicknessMm { get; init; } = 5;
    public double[] PixelSpacing { get; init; } = [0.5, 0.5];
    public string[] ImageType { get; init; } = ["ORIGINAL", "PRIMARY", "AXIAL"];
    public string BodyPart { get; init; } = "HEAD";
    public string StudyDescription { get; init; } = "CT HEAD WO CONTRAST";
    public string SeriesDescription { get; init; } = "HEAD 5mm";
    public string? ContrastAgent { get; init; }
    public string Kernel { get; init; } = "H30s";
    public bool WritePositions { get; init; } = true;
    public ushort Rows { get; init; } = 8;

    /// <summary>Builds the data set of slice <paramref name="index"/>.</summary>
    public DicomDataset Slice(int index)
    {
        var ds = new DicomDataset();
        ds.AddStrings(DicomTags.ImageType, ImageType);
        ds.AddString(DicomTags.SOPClassUID, SopClassUid);
        ds.AddString(DicomTags.SOPInstanceUID, SopUid(index));
        ds.AddString(DicomTags.StudyDescription, StudyDescription);
        ds.AddString(DicomTags.SeriesDescription, SeriesDescription);
        ds.AddString(DicomTags.Modality, Modality);
        ds.AddString(DicomTags.BodyPartExamined, BodyPart);
        if (ContrastAgent is not null)
        {
            ds.AddString(DicomTags.ContrastBolusAgent, ContrastAgent);
        }

        ds.AddDecimalStrings(DicomTags.SliceThickness, SliceThicknessMm);
        ds.AddString(DicomTags.ConvolutionKernel, Kernel);
        ds.AddString(DicomTags.StudyInstanceUID, StudyUid);
        ds.AddString(DicomTags.SeriesInstanceUID, SeriesUid);
        ds.AddString(DicomTags.SeriesNumber, SeriesNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.AddString(DicomTags.InstanceNumber, (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (WritePositions)
        {
            var position = PositionOf(index);
            ds.AddDecimalStrings(DicomTags.ImagePositionPatient, position.X, position.Y, position.Z);
            ds.AddDecimalStrings(DicomTags.ImageOrientationPatient, Orientation);
        }

        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddUInt16(DicomTags.Rows, Rows);
        ds.AddUInt16(DicomTags.Columns, 8);
        ds.AddDecimalStrings(DicomTags.PixelSpacing, PixelSpacing);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 12);
        ds.AddUInt16(DicomTags.HighBit, 11);
        ds.AddUInt16(DicomTags.PixelRepresentation, 0);
        var pixels = new byte[Rows * 8 * 2];
        pixels.AsSpan().Fill((byte)index);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        return ds;
    }

    public string SopUid(int index) => SeriesUid + "." + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Vector3D PositionOf(int index)
    {
        var row = new Vector3D(Orientation[0], Orientation[1], Orientation[2]);
        var column = new Vector3D(Orientation[3], Orientation[4], Orientation[5]);
        var normal = row.Cross(column).Normalized();
        double z = PositionsMm[index];
        return new Vector3D(
            Origin.X + normal.X * z + ShearPerSliceMm.X * index,
            Origin.Y + normal.Y * z + ShearPerSliceMm.Y * index,
            Origin.Z + normal.Z * z + ShearPerSliceMm.Z * index);
    }

    /// <summary>Writes every slice to <paramref name="folder"/>; file names come from <paramref name="fileName"/> (default: s{index:000}.dcm).</summary>
    public IReadOnlyList<string> Write(string folder, Func<int, string>? fileName = null)
    {
        var paths = new List<string>();
        for (int i = 0; i < PositionsMm.Count; i++)
        {
            var path = Path.Combine(folder, fileName?.Invoke(i) ?? $"s{i:000}.dcm");
            DicomFileWriter.Save(path, Slice(i), TransferSyntax.ExplicitVRLittleEndian);
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>Builds headers in memory (no files) through the real header reader.</summary>
    public DicomSeries ToSeries(Func<int, string>? name = null)
    {
        var headers = new List<InstanceHeader>();
        for (int i = 0; i < PositionsMm.Count; i++)
        {
            using var stream = new MemoryStream();
            DicomFileWriter.Write(stream, Slice(i), TransferSyntax.ExplicitVRLittleEndian);
            var n = name?.Invoke(i) ?? $"s{i:000}.dcm";
            var file = DicomFileReader.Parse(stream.ToArray(), n);
            headers.Add(InstanceHeaderReader.Read(file, new FileDicomSource("/nonexistent/" + n, n)));
        }

        return StudyGrouper.Group(headers).Single().Series.Single();
    }
}
