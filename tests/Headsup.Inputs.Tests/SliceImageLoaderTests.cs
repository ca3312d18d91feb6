using Headsup.Datasets;
using Headsup.Inputs;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Headsup.Inputs.Tests;

public class SliceImageLoaderTests(SmallSubduralPhantomFixture phantom) : IClassFixture<SmallSubduralPhantomFixture>
{
    [Fact]
    public void Png_GrayAndRgb_GiveSameDisplayValues()
    {
        using var folder = TestData.CreateTempFolder();
        var gray = Path.Combine(folder.Path, "g.png");
        var rgb = Path.Combine(folder.Path, "c.png");
        TestImages.WriteHeadPng(gray, 40, 30);
        TestImages.WriteHeadPng(rgb, 40, 30, rgb: true);
        var a = SliceImageLoader.Load(gray);
        var b = SliceImageLoader.Load(rgb, ImageFormat.Png);
        Assert.Equal(SliceIntensity.Display, a.Intensity);
        Assert.Equal(40, a.Width);
        Assert.Equal(30, a.Height);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(150f, a.Pixels[(15 * 40) + 20]);
        Assert.Equal(0f, a.Pixels[0]);
    }

    [Fact]
    public void Dicom_GivesHu()
    {
        var sample = DatasetLoader.Load(phantom.Folder.Path).Samples[5];
        var image = SampleImages.Load(sample);
        Assert.Equal(SliceIntensity.Hu, image.Intensity);
        Assert.Equal(128, image.Width);
        Assert.NotNull(image.PixelSpacingMm);
        Assert.InRange(image.Pixels.Min(), -1100, -900);
        Assert.True(image.Pixels.Max() > 500);
    }

    [Fact]
    public void Corrupt_NonImage_Huge_Missing_TypedErrorsNamingTheFile()
    {
        using var folder = TestData.CreateTempFolder();
        var good = Path.Combine(folder.Path, "good.png");
        TestImages.WriteHeadPng(good);
        var bytes = File.ReadAllBytes(good);

        var truncated = Path.Combine(folder.Path, "truncated.png");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var text = Path.Combine(folder.Path, "text.png");
        File.WriteAllText(text, "not an image at all");
        var garbage = Path.Combine(folder.Path, "garbage.png");
        File.WriteAllBytes(garbage, [.. bytes[..16], .. Enumerable.Repeat((byte)0x55, 200)]);
        var huge = Path.Combine(folder.Path, "huge.png");
        File.WriteAllBytes(huge, HugePngHeader(20000, 20000));
        var dicom = Path.Combine(folder.Path, "broken.dcm");
        File.WriteAllBytes(dicom, [.. new byte[128], .. "DICM"u8.ToArray(), 2, 0, 0x10, 0, (byte)'U', (byte)'I', 200, 0]);

        foreach (var path in new[] { truncated, text, garbage, huge, dicom, Path.Combine(folder.Path, "absent.png") })
        {
            var ex = Assert.Throws<SliceImageException>(() => SliceImageLoader.Load(path));
            Assert.Equal(path, ex.FilePath);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }

        Assert.Contains("8192", Assert.Throws<SliceImageException>(() => SliceImageLoader.Load(huge)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dicom_FrameOutOfRange_TypedError()
    {
        var sample = DatasetLoader.Load(phantom.Folder.Path).Samples[0] with { Frame = 3 };
        Assert.Throws<SliceImageException>(() => SampleImages.Load(sample));
    }

    private static byte[] HugePngHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, 13);
        stream.Write(length);
        byte[] chunk = [.. "IHDR"u8.ToArray(), .. ihdr];
        stream.Write(chunk);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(chunk));
        stream.Write(crc);
        stream.Write(new byte[64]);
        return stream.ToArray();
    }
}
