using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Writing;

namespace Headsup.Inputs.Tests.Preprocessing;

/// <summary>Small CT series written with the project's own writer: a bright disc (skull-like) over air, per slice.</summary>
internal static class SyntheticCt
{
    public const string StudyUid = "1.2.826.0.1.3680043.9.7.1";
    public const string SeriesUid = "1.2.826.0.1.3680043.9.7.1.1";

    /// <summary>Writes <paramref name="count"/> slices named slice-NN.dcm, in shuffled file order (positions tell the order).</summary>
    public static IReadOnlyList<string> WriteSeries(string folder, int count, int size = 40, int seed = 1, string modality = "CT")
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        var order = Enumerable.Range(0, count).OrderBy(i => (i * 7) % count).ToArray();
        foreach (var index in order)
        {
            var path = Path.Combine(folder, $"slice-{index:00}.dcm");
            DicomFileWriter.Save(path, Slice(index, size, seed, modality), TransferSyntax.ExplicitVRLittleEndian);
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>One slice: 12-bit unsigned, intercept −1024 (like RSNA), random texture so every window has detail.</summary>
    public static DicomDataset Slice(int index, int size, int seed, string modality = "CT", int frames = 1)
    {
        var random = new Random(seed * 1000 + index);
        var pixels = new byte[frames * size * size * 2];
        double centre = (size - 1) / 2.0;
        for (int f = 0; f < frames; f++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    double r = Math.Sqrt(((x - centre) * (x - centre)) + ((y - centre) * (y - centre)));
                    int hu = r > size * 0.45 ? -1000 : r > size * 0.40 ? 900 : random.Next(-40, 120) + (10 * index) + (25 * f);
                    int stored = Math.Clamp(hu + 1024, 0, 4095);
                    int at = ((f * size * size) + (y * size) + x) * 2;
                    pixels[at] = (byte)stored;
                    pixels[at + 1] = (byte)(stored >> 8);
                }
            }
        }

        var ds = new DicomDataset();
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, SeriesUid + "." + (index + 1).ToString(CultureInfo.InvariantCulture));
        ds.AddString(DicomTags.Modality, modality);
        ds.AddString(DicomTags.StudyInstanceUID, StudyUid);
        ds.AddString(DicomTags.SeriesInstanceUID, SeriesUid);
        ds.AddString(DicomTags.SeriesNumber, "2");
        ds.AddString(DicomTags.InstanceNumber, (index + 1).ToString(CultureInfo.InvariantCulture));
        ds.AddDecimalStrings(DicomTags.ImagePositionPatient, -100, -100, index * 5.0);
        ds.AddDecimalStrings(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        ds.AddDecimalStrings(DicomTags.PixelSpacing, 0.5, 0.5);
        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        if (frames > 1)
        {
            ds.AddString(DicomTags.NumberOfFrames, frames.ToString(CultureInfo.InvariantCulture));
        }

        ds.AddUInt16(DicomTags.Rows, (ushort)size);
        ds.AddUInt16(DicomTags.Columns, (ushort)size);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 12);
        ds.AddUInt16(DicomTags.HighBit, 11);
        ds.AddUInt16(DicomTags.PixelRepresentation, 0);
        ds.AddString(DicomTags.RescaleIntercept, "-1024", DicomVR.DS);
        ds.AddString(DicomTags.RescaleSlope, "1", DicomVR.DS);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        return ds;
    }
}
