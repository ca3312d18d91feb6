using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Dicom.Writing;
using SharpFuzz;

namespace Headsup.Fuzz;

/// <summary>
/// AFL harness for the DICOM reader (see fuzz/README.md). `seed DIR` writes a seed corpus made by our own writer;
/// without arguments it runs under afl-fuzz, feeding each input to the parser and the pixel frame reader.
/// Any exception that is not a <see cref="DicomException"/> is a finding.
/// </summary>
internal static class Program
{
    private static readonly DicomReadOptions s_options = new() { MaxInflatedBytes = 16 * 1024 * 1024 };

    private static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "seed")
        {
            WriteSeeds(args[1]);
            return 0;
        }

        if (args.Length == 2 && args[0] == "replay")
        {
            foreach (var file in Directory.EnumerateFiles(args[1]))
            {
                using var stream = File.OpenRead(file);
                Exercise(stream);
            }

            return 0;
        }

        Fuzzer.OutOfProcess.Run(Exercise);
        return 0;
    }

    private static void Exercise(Stream stream)
    {
        try
        {
            var file = DicomFileReader.Open(stream, "fuzz-input", s_options);
            if (file.Dataset.Contains(DicomTags.PixelData))
            {
                var reader = PixelFrameReader.Create(file, null);
                var frame = new byte[reader.FrameBytes];
                reader.ReadFrame(0, frame);
            }
        }
        catch (DicomException)
        {
            // Typed rejection of bad input is the expected outcome.
        }
    }

    private static void WriteSeeds(string directory)
    {
        Directory.CreateDirectory(directory);
        var syntaxes = new[]
        {
            TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian,
            TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian,
        };
        foreach (var syntax in syntaxes)
        {
            var ds = new DicomDataset();
            ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
            ds.AddString(DicomTags.SOPInstanceUID, DicomUid.FromGuid(new Guid(7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8)));
            ds.AddString(DicomTags.Modality, "CT");
            var item = new DicomDataset();
            item.AddString(DicomTags.CodeValue, "T-A0100");
            ds.AddSequence(DicomTags.AnatomicRegionSequence, item);
            ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
            ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
            ds.AddUInt16(DicomTags.Rows, 4);
            ds.AddUInt16(DicomTags.Columns, 4);
            ds.AddUInt16(DicomTags.BitsAllocated, 16);
            ds.AddUInt16(DicomTags.BitsStored, 12);
            ds.AddUInt16(DicomTags.HighBit, 11);
            ds.AddUInt16(DicomTags.PixelRepresentation, 0);
            ds.AddBytes(DicomTags.PixelData, DicomVR.OW, new byte[32]);
            DicomFileWriter.Save(Path.Combine(directory, $"seed-{syntax.Uid}.dcm"), ds, syntax);
        }
    }
}
