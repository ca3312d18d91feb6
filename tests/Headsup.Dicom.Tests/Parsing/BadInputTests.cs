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

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e30)]
    public void TryGetDecimal_NonFiniteOrHugeBinaryFloat_ReturnsFalseInsteadOfThrowing(double number)
    {
        var ds = new DicomDataset("float.dcm");
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, number);
        ds.AddBytes(DicomTags.RescaleIntercept, DicomVR.FD, bytes);
        var single = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(single, (float)number);
        ds.AddBytes(DicomTags.RescaleSlope, DicomVR.FL, single);

        Assert.False(ds.TryGetDecimal(DicomTags.RescaleIntercept, out _));
        Assert.False(ds.TryGetDecimal(DicomTags.RescaleSlope, out _));
        Assert.Equal(double.IsFinite(number), ds.TryGetDoubles(DicomTags.RescaleIntercept, out _));
    }

    [Fact]
    public void Create_HighBitOutsideBitsAllocated_ThrowsPixelDataException()
    {
        var ds = Fixtures.CtSlice();
        ds.AddUInt16(DicomTags.HighBit, 40);
        var file = DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), "highbit.dcm");
        var ex = Assert.Throws<DicomPixelDataException>(() => PixelFrameReader.Create(file, null));
        Assert.Contains("High Bit 40", ex.Message, StringComparison.Ordinal);
        Assert.Contains("highbit.dcm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CodestreamHeaderDisagrees_ThrowsCodecExceptionBeforeDecoding()
    {
        var decoder = new FakeDecoder { HeaderProblem = "stream is 7×7" };
        var file = Encapsulated(4, 3, [new byte[32]], "liar.dcm");
        var ex = Assert.Throws<DicomCodecException>(() => PixelFrameReader.Create(file, new FakeRegistry(decoder)));
        Assert.Contains("liar.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("stream is 7×7", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, decoder.Decodes);
    }

    [Fact]
    public void Create_FewBytesClaimingAHugeFrame_RefusedWithoutAllocatingIt()
    {
        // 8000 × 8000 × 16 bits = 128 MB from a 64-byte stream: the header is not believed.
        var decoder = new FakeDecoder();
        var file = Encapsulated(8000, 8000, [new byte[64]], "bomb.dcm");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DicomPixelDataException>(() => PixelFrameReader.Create(file, new FakeRegistry(decoder)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        Assert.Contains("bomb.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not believed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrame_CodecNotInstalled_ThrowsUnavailableNamingFileCodecAndPackage()
    {
        var decoder = new FakeDecoder { Unavailable = true };
        var reader = PixelFrameReader.Create(Encapsulated(4, 3, [new byte[32]], "needs-codec.dcm"), new FakeRegistry(decoder));
        var ex = Assert.Throws<DicomCodecUnavailableException>(() => reader.VerifyFrames());
        Assert.Equal("needs-codec.dcm", ex.SourceName);
        Assert.Contains("needs-codec.dcm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Fake codec", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libfake1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyFrames_SecondFrameCorrupt_ThrowsCodecExceptionForFrameOne()
    {
        var decoder = new FakeDecoder { FailFrameWithFirstByte = 2 };
        var reader = PixelFrameReader.Create(Encapsulated(4, 3, [[1, 0, 0, 0], [2, 0, 0, 0]], "frames.dcm"), new FakeRegistry(decoder));
        var ex = Assert.Throws<DicomCodecException>(() => reader.VerifyFrames());
        Assert.Equal(1, ex.Frame);
        Assert.Contains("frames.dcm", ex.Message, StringComparison.Ordinal);
    }

    private static DicomFile Encapsulated(int rows, int columns, byte[][] frames, string name)
    {
        var ds = Fixtures.CtSlice();
        ds.AddUInt16(DicomTags.Rows, (ushort)rows);
        ds.AddUInt16(DicomTags.Columns, (ushort)columns);
        ds.AddString(DicomTags.NumberOfFrames, frames.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), DicomVR.IS);
        int offset = 0;
        var fragments = new List<DicomFragment>();
        foreach (var frame in frames)
        {
            fragments.Add(new DicomFragment(offset, frame));
            offset += frame.Length + 8;
        }

        ds.Add(new DicomFragments(DicomTags.PixelData, DicomVR.OB, [], fragments));
        return DicomFileReader.Parse(Fixtures.ToBytes(ds, TransferSyntax.RleLossless), name);
    }

    private sealed class FakeRegistry(IFrameDecoder decoder) : IFrameDecoderRegistry
    {
        public bool TryGet(TransferSyntax syntax, out IFrameDecoder found)
        {
            found = decoder;
            return true;
        }
    }

    private sealed class FakeDecoder : IFrameDecoder
    {
        public string? HeaderProblem { get; init; }

        public bool Unavailable { get; init; }

        public int FailFrameWithFirstByte { get; init; } = -1;

        public int Decodes { get; private set; }

        public string Name => "Fake";

        public bool CanDecode(TransferSyntax syntax) => true;

        public void CheckHeader(ReadOnlySpan<byte> start, long encodedLength, in PixelDataInfo info)
        {
            if (HeaderProblem is not null)
            {
                throw new InvalidDataException(HeaderProblem);
            }
        }

        public void Decode(ReadOnlySpan<byte> encoded, in PixelDataInfo info, Span<byte> destination)
        {
            Decodes++;
            if (Unavailable)
            {
                throw new DicomCodecUnavailableException(string.Empty, "Fake codec", "libfake1", "libfake.so.1 was not found");
            }

            if (encoded.Length > 0 && encoded[0] == FailFrameWithFirstByte)
            {
                throw new InvalidDataException("corrupt stream");
            }

            destination.Clear();
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
