using System.Runtime.InteropServices;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Rescale;
using Xunit;

namespace Headsup.Imaging.Tests.Rescale;

public sealed class HuConverterTests
{
    private static PixelDataInfo Info(int count, int bitsStored, int representation) =>
        new(1, count, 1, 16, bitsStored, bitsStored - 1, representation, 0, 1, "MONOCHROME2");

    private static RescaleParameters Params(int bitsStored, bool signed, decimal slope, decimal intercept, bool rsna = false) => new()
    {
        Slope = slope,
        Intercept = intercept,
        BitsStored = bitsStored,
        BitsAllocated = 16,
        IsSigned = signed,
        RsnaCorrection = rsna,
        OutOfFieldBelowHu = null,
    };

    private static float[] Convert(ushort[] raw, PixelDataInfo info, RescaleParameters p)
    {
        var hu = new float[raw.Length];
        HuConverter.Convert(MemoryMarshal.AsBytes(raw.AsSpan()), info, p, hu);
        return hu;
    }

    [Fact]
    public void Convert_RsnaTwelveBitFix_MatchesPaperTable()
    {
        // Paper's code: p + 1000, p >= 4096 wraps by -4096, intercept -1000. Hand-computed:
        // stored 0 -> 1000 -> 0 HU; 24 -> 1024 -> 24; 3095 -> 4095 -> 3095; 3096 -> 4096 -> 0 -> -1000; 4095 -> 5095 -> 999 -> -1.
        ushort[] raw = [0, 24, 3095, 3096, 4095, 0xF000 | 24];
        float[] expected = [0, 24, 3095, -1000, -1, 24];
        // Repeated so the vector path (16 lanes of ushort) is exercised as well as the scalar tail.
        var many = Enumerable.Repeat(raw, 10).SelectMany(x => x).ToArray();
        var hu = Convert(many, Info(many.Length, 12, 0), Params(12, false, 1, -1000, rsna: true));
        Assert.Equal(Enumerable.Repeat(expected, 10).SelectMany(x => x), hu);
    }

    [Fact]
    public void FromDataset_RsnaCondition_FollowsIntTruncation()
    {
        var info = Info(1, 12, 0);
        var ds = new Headsup.Dicom.DicomDataset();
        ds.AddString(Headsup.Dicom.DicomTags.RescaleIntercept, "-99.9", Headsup.Dicom.DicomVR.DS);
        Assert.True(RescaleParameters.FromDataset(ds, info).RsnaCorrection); // int(-99.9) = -99 > -100
        ds.AddString(Headsup.Dicom.DicomTags.RescaleIntercept, "-100", Headsup.Dicom.DicomVR.DS);
        Assert.False(RescaleParameters.FromDataset(ds, info).RsnaCorrection);
        ds.AddString(Headsup.Dicom.DicomTags.RescaleIntercept, "-1024", Headsup.Dicom.DicomVR.DS);
        Assert.False(RescaleParameters.FromDataset(ds, info).RsnaCorrection);
        Assert.False(RescaleParameters.FromDataset(ds, Info(1, 12, 1)).RsnaCorrection);
        ds.AddString(Headsup.Dicom.DicomTags.RescaleIntercept, "0", Headsup.Dicom.DicomVR.DS);
        var p = RescaleParameters.FromDataset(ds, info);
        Assert.True(p.RsnaCorrection);
        Assert.Equal(-1000m, p.Intercept);
    }

    [Fact]
    public void FromDataset_InterceptBeyondInt32_ConvertsWithoutOverflow()
    {
        // A corrupt header's 11-digit intercept used to overflow an int cast (RSNA check and the integer fast path).
        var ds = new Headsup.Dicom.DicomDataset();
        ds.AddString(Headsup.Dicom.DicomTags.RescaleIntercept, "99999999999", Headsup.Dicom.DicomVR.DS);
        var p = RescaleParameters.FromDataset(ds, Info(1, 16, 1));
        Assert.False(p.IsIntegral);
        var hu = Convert(Enumerable.Repeat((ushort)5, 40).ToArray(), Info(40, 16, 1), p with { OutOfFieldBelowHu = null });
        Assert.All(hu, v => Assert.Equal(1e11f, v, 1e5f));
        Assert.True(RescaleParameters.FromDataset(ds, Info(1, 12, 0)).RsnaCorrection); // truncated 99999999999 > -100
    }

    [Fact]
    public void Convert_SignedTwelveBits_MasksHighBitsAndSignExtends()
    {
        // BitsStored 12, signed: 0x0FFF = -1, 0x0800 = -2048, 0x07FF = 2047; garbage above bit 11 is ignored.
        ushort[] raw = [0x0FFF, 0x0800, 0x07FF, 0xF7FF, 0x1001];
        var many = Enumerable.Repeat(raw, 8).SelectMany(x => x).ToArray();
        var hu = Convert(many, Info(many.Length, 12, 1), Params(12, true, 1, 0));
        Assert.Equal(Enumerable.Repeat(new float[] { -1, -2048, 2047, 2047, 1 }, 8).SelectMany(x => x), hu);
    }

    [Fact]
    public void Convert_DecimalSlopeAndIntercept_ComputedInDoubleThenRounded()
    {
        ushort[] raw = [0, 1, 3, 1000];
        var hu = Convert(raw, Info(4, 16, 0), Params(16, false, 0.5m, -1024.25m));
        Assert.Equal(new[] { -1024.25f, -1023.75f, -1022.75f, -524.25f }, hu);
    }

    [Fact]
    public void Convert_PaddingAndOutOfField_BecomeAir()
    {
        short[] stored = [-2000, -1024, 0, 40, -2048];
        // Repeated so both the vector path and the scalar tail see padding.
        var raw = Enumerable.Repeat(stored, 9).SelectMany(x => x).Select(s => unchecked((ushort)s)).ToArray();
        var p = Params(16, true, 1, -1024) with { PaddingValue = -2000, OutOfFieldBelowHu = -1500 };
        var hu = Convert(raw, Info(raw.Length, 16, 1), p);
        // -2000 is padding -> air; -1024 -> -2048 HU (outside the field) -> air; 0 -> -1024; 40 -> -984; -2048 -> -3072 -> air.
        Assert.Equal(Enumerable.Repeat(new[] { -1000f, -1000f, -1024f, -984f, -1000f }, 9).SelectMany(x => x), hu);
        var noOutOfField = Convert(raw, Info(raw.Length, 16, 1), p with { OutOfFieldBelowHu = null });
        Assert.Equal(Enumerable.Repeat(new[] { -1000f, -2048f, -1024f, -984f, -3072f }, 9).SelectMany(x => x), noOutOfField);
    }

    [Fact]
    public void Convert_PaddingRange_InclusiveBothEnds()
    {
        ushort[] raw = [0, 5, 10, 11];
        var p = Params(16, false, 1, 0) with { PaddingValue = 10, PaddingRangeLimit = 5 };
        Assert.Equal(new[] { 0f, -1000f, -1000f, 11f }, Convert(raw, Info(4, 16, 0), p));
    }
}
