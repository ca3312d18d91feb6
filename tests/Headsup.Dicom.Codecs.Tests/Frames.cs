using System.Buffers.Binary;
using Headsup.Dicom.Pixels;
using Headsup.Testing;
using Xunit;

namespace Headsup.Dicom.Codecs.Tests;

/// <summary>Decodes whole files and compares their frames; every message names the file and its transfer syntax.</summary>
internal static class Frames
{
    private static readonly Lazy<CodecRegistry> s_registry = new(CodecRegistry.CreateDefault);

    public static CodecRegistry Registry => s_registry.Value;

    /// <summary>A decoded file: its description, syntax and all frames concatenated.</summary>
    public sealed record Decoded(string Path, TransferSyntax Syntax, PixelDataInfo Info, byte[] Bytes)
    {
        public string Label => $"{System.IO.Path.GetFileName(Path)} [{Syntax.Name}]";

        /// <summary>Sample values as stored: masked to Bits Stored, sign-extended when Pixel Representation is 1.</summary>
        public int[] Values()
        {
            int count = Bytes.Length / Info.BytesPerSample;
            var values = new int[count];
            int bits = Info.BitsStored;
            for (int i = 0; i < count; i++)
            {
                long raw = Info.BytesPerSample switch
                {
                    1 => Bytes[i],
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(2 * i)),
                    _ => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(4 * i)),
                };
                long masked = bits >= 32 ? raw : raw & ((1L << bits) - 1);
                if (Info.IsSigned && bits < 64 && (masked & (1L << (bits - 1))) != 0)
                {
                    masked -= 1L << bits;
                }

                values[i] = (int)masked;
            }

            return values;
        }
    }

    public static Decoded Decode(string path)
    {
        var file = DicomFileReader.Open(path);
        var reader = PixelFrameReader.Create(file, Registry);
        var bytes = new byte[(long)reader.FrameBytes * reader.FrameCount];
        for (int i = 0; i < reader.FrameCount; i++)
        {
            reader.ReadFrame(i, bytes.AsSpan(i * reader.FrameBytes, reader.FrameBytes));
        }

        return new Decoded(path, file.TransferSyntax, reader.Info, bytes);
    }

    public static void AssertSameGeometry(Decoded expected, Decoded actual)
    {
        Assert.True(
            expected.Info.Rows == actual.Info.Rows && expected.Info.Columns == actual.Info.Columns
            && expected.Info.SamplesPerPixel == actual.Info.SamplesPerPixel && expected.Info.NumberOfFrames == actual.Info.NumberOfFrames
            && expected.Info.BitsAllocated == actual.Info.BitsAllocated && expected.Info.PixelRepresentation == actual.Info.PixelRepresentation,
            $"{actual.Label}: geometry/dtype {actual.Info} differs from {expected.Label} {expected.Info}");
    }

    /// <summary>Asserts the decoded bytes equal the reference's bytes exactly.</summary>
    public static void AssertBytesEqual(Decoded expected, Decoded actual)
    {
        AssertSameGeometry(expected, actual);
        int mismatch = expected.Bytes.AsSpan().CommonPrefixLength(actual.Bytes);
        Assert.True(
            mismatch == expected.Bytes.Length && expected.Bytes.Length == actual.Bytes.Length,
            $"{actual.Label}: decoded bytes differ from {expected.Label} first at byte {mismatch} of {expected.Bytes.Length}");
    }

    /// <summary>Asserts the stored sample values are equal (ignores bits above Bits Stored).</summary>
    public static void AssertValuesEqual(Decoded expected, Decoded actual) => AssertValuesWithin(expected, actual, 0);

    /// <summary>Asserts every sample is within <paramref name="tolerance"/>; returns the maximum absolute error.</summary>
    public static int AssertValuesWithin(Decoded expected, Decoded actual, int tolerance)
    {
        AssertSameGeometry(expected, actual);
        var e = expected.Values();
        var a = actual.Values();
        int maxError = 0;
        int worst = -1;
        for (int i = 0; i < e.Length; i++)
        {
            int error = Math.Abs(e[i] - a[i]);
            if (error > maxError)
            {
                maxError = error;
                worst = i;
            }
        }

        Assert.True(
            maxError <= tolerance,
            $"{actual.Label}: max abs error {maxError} (sample {worst}: expected {(worst >= 0 ? e[worst] : 0)}, got {(worst >= 0 ? a[worst] : 0)}) exceeds {tolerance} against {expected.Label}");
        return maxError;
    }

    /// <summary>Root-mean-square error of the stored values.</summary>
    public static double Rmse(Decoded expected, Decoded actual)
    {
        var e = expected.Values();
        var a = actual.Values();
        double sum = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double d = e[i] - a[i];
            sum += d * d;
        }

        return Math.Sqrt(sum / e.Length);
    }

    /// <summary>Runs dcmtk's decompressor (dcmdjpeg, dcmdrle, dcmdjpls) to a temporary file and decodes that.</summary>
    public static Decoded ReferenceFromDcmtk(string tool, string path, TempFolder temp, params string[] options)
    {
        var program = ExternalTool.Require(tool);
        var output = System.IO.Path.Combine(temp.Path, System.IO.Path.GetFileNameWithoutExtension(path) + "-" + tool + ".dcm");
        var (exit, _, stderr) = ExternalTool.Run(program, [.. options, path, output]);
        Assert.True(exit == 0, $"{tool} failed on {path}: {stderr}");
        return Decode(output);
    }

    /// <summary>The concatenated fragments of frame 0 (for corruption tests).</summary>
    public static (byte[] Encoded, PixelDataInfo Info) FirstFrame(string path)
    {
        var file = DicomFileReader.Open(path);
        Assert.True(file.Dataset.TryGetItem(DicomTags.PixelData, out var item) && item is DicomFragments, $"{path}: not encapsulated");
        var fragments = (DicomFragments)item;
        var info = PixelDataInfo.FromDataset(file.Dataset);
        var frames = EncapsulatedFrameLocator.Locate(fragments, info.NumberOfFrames, path);
        var range = frames[0];
        var bytes = new List<byte>();
        for (int i = range.First; i < range.First + range.Count; i++)
        {
            bytes.AddRange(fragments.Fragments[i].Data.ToArray());
        }

        return (bytes.ToArray(), info);
    }
}
