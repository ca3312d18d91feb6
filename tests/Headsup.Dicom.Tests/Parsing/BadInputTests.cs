using System.Buffers.Binary;
using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Xunit;

namespace Headsup.Dicom.Tests.Parsing;

/// <summary>Malformed input gives typed errors that name the source (and offset/tag), never a crash or a huge allocation.</summary>
public sealed class BadInputTests
{
    private static byte[] Valid() => Fixtures.ToBytes(Fixtures.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);

    [Fact]
    public void Parse_TextFile_ThrowsNotDicom()
    {
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse("hello, this is not a DICOM file at all\n"u8.ToArray(), "notes.txt"));
        Assert.Contains("notes.txt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a DICOM file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFile_ThrowsNotDicom()
    {
        Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(Array.Empty<byte>(), "empty.dcm"));
    }

    [Fact]
    public void Parse_TruncatedAtEveryLength_ThrowsTypedOrParsesPrefix()
    {
        var bytes = Valid();
        for (int length = 0; length < bytes.Length; length += 7)
        {
            try
            {
                var file = DicomFileReader.Parse(bytes.AsMemory(0, length), "cut.dcm");
                // A cut exactly between elements is a shorter valid data set; reading its pixels must still be safe.
                if (file.Dataset.Contains(DicomTags.PixelData))
                {
                    PixelFrameReader.Create(file, null);
                }
            }
            catch (DicomException ex)
            {
                Assert.Contains("cut.dcm", ex.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Parse_LengthPastEnd_ThrowsWithOffsetAndTag()
    {
        var bytes = Valid();
        int at = FindElement(bytes, DicomTags.PatientName);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 6), 60000);
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes, "long.dcm"));
        Assert.Equal(DicomTags.PatientName, ex.Tag);
        Assert.Equal(at, ex.Offset);
        Assert.Contains("runs past the end", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugePixelLength_ThrowsWithoutAllocating()
    {
        var bytes = Valid();
        int at = FindElement(bytes, DicomTags.PixelData);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 8), 0xFFFFFFF0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes, "huge.dcm"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        Assert.Equal(DicomTags.PixelData, ex.Tag);
    }

    [Fact]
    public void Parse_OddLengthForBinaryVR_Throws()
    {
        var bytes = Valid();
        int at = FindElement(bytes, DicomTags.Rows);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 6), 3);
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes, "odd.dcm"));
        Assert.Contains("not a multiple of 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidVR_Throws()
    {
        var bytes = Valid();
        int at = FindElement(bytes, DicomTags.Modality);
        bytes[at + 4] = (byte)'q';
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes, "vr.dcm"));
        Assert.Equal(DicomTags.Modality, ex.Tag);
    }

    [Fact]
    public void Create_AbsurdRowsColumnsFrames_ThrowsBeforeAllocating()
    {
        var ds = Fixtures.CtSlice();
        ds.AddUInt16(DicomTags.Rows, 65535);
        ds.AddUInt16(DicomTags.Columns, 65535);
        ds.AddString(DicomTags.NumberOfFrames, "2000000000", DicomVR.IS);
        var file = DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), "absurd.dcm");
        var ex = Assert.Throws<DicomPixelDataException>(() => PixelFrameReader.Create(file, null));
        Assert.Contains("absurd.dcm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_PixelDataShorterThanHeaderClaims_Throws()
    {
        var ds = Fixtures.CtSlice();
        ds.AddString(DicomTags.NumberOfFrames, "3", DicomVR.IS);
        var file = DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), "short.dcm");
        var ex = Assert.Throws<DicomPixelDataException>(() => PixelFrameReader.Create(file, null));
        Assert.Contains("need", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingPixelData_Throws()
    {
        var ds = Fixtures.CtSlice();
        ds.Remove(DicomTags.PixelData);
        var file = DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), "nopix.dcm");
        var ex = Assert.Throws<DicomPixelDataException>(() => PixelFrameReader.Create(file, null));
        Assert.Contains("no Pixel Data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnsupportedTransferSyntax_ThrowsTyped()
    {
        var ds = Fixtures.CtSlice();
        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [], [new(0, new byte[] { 1, 2 })]));
        var bytes = Fixtures.ToBytes(ds, TransferSyntax.JpegLsLossless);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        int at = text.IndexOf("1.2.840.10008.1.2.4.80", StringComparison.Ordinal);
        System.Text.Encoding.ASCII.GetBytes("1.2.840.10008.1.2.4.99").CopyTo(bytes, at);
        var file = DicomFileReader.Parse(bytes, "weird.dcm");
        var ex = Assert.Throws<DicomUnsupportedTransferSyntaxException>(() => PixelFrameReader.Create(file, null));
        Assert.Equal("1.2.840.10008.1.2.4.99", ex.TransferSyntaxUid);
    }

    [Fact]
    public void Parse_DeeplyNestedSequences_ThrowsDepthError()
    {
        var bytes = new List<byte>();
        for (int i = 0; i < 100; i++)
        {
            bytes.AddRange([0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            bytes.AddRange([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }

        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes.ToArray(), "deep.dcm"));
        Assert.Contains("nested deeper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeflateBomb_StopsAtLimit()
    {
        var ds = Fixtures.CtSlice();
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, new byte[8 * 1024 * 1024]);
        var bytes = Fixtures.ToBytes(ds, TransferSyntax.DeflatedExplicitVRLittleEndian);
        var options = new DicomReadOptions { MaxInflatedBytes = 1024 * 1024 };
        var ex = Assert.Throws<DicomParseException>(() => DicomFileReader.Parse(bytes, "bomb.dcm", options));
        Assert.Contains("inflates to more than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrowsUntypedException()
    {
        var random = new Random(1234);
        var valid = Valid();
        for (int i = 0; i < 2000; i++)
        {
            var bytes = (byte[])valid.Clone();
            int flips = random.Next(1, 8);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(128, bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                var file = DicomFileReader.Parse(bytes, "fuzz.dcm");
                if (file.Dataset.Contains(DicomTags.PixelData))
                {
                    var reader = PixelFrameReader.Create(file, null);
                    reader.ReadFrame(0, new byte[reader.FrameBytes]);
                }
            }
            catch (DicomException)
            {
            }
        }
    }

    private static int FindElement(byte[] bytes, DicomTag tag)
    {
        Span<byte> pattern = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(pattern, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(pattern[2..], tag.Element);
        int at = bytes.AsSpan(132).IndexOf(pattern);
        Assert.True(at >= 0, $"{tag} not found");
        return at + 132;
    }
}
