using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Imaging.Slices;
using SkiaSharp;

namespace Headsup.Inputs;

/// <summary>
/// Reads a sample's pixels: DICOM → HU through <see cref="HuSliceLoader"/> (RSNA rescale correction and padding → air);
/// PNG/JPEG → 8-bit gray display values decoded with SkiaSharp (colour converted to gray by luminance
/// 0.299 R + 0.587 G + 0.114 B, which is exact for the gray-stored-as-RGB Kaggle images).
/// </summary>
public static class SliceImageLoader
{
    /// <summary>Largest width or height accepted for PNG/JPEG (checked before decoding).</summary>
    public const int MaxDimension = 8192;

    private static readonly Lazy<CodecRegistry> s_codecs = new(CodecRegistry.CreateDefault);

    /// <summary>Loads a file; the format is detected from the content when <paramref name="format"/> is null.</summary>
    /// <exception cref="SliceImageException">The file is missing, corrupt, not an image or too large.</exception>
    public static SliceImage Load(string path, ImageFormat? format = null, int frame = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            if (!File.Exists(path))
            {
                throw new SliceImageException(path, "file not found");
            }

            var detected = FormatDetector.Detect(path) ?? throw new SliceImageException(path, "not a DICOM, PNG or JPEG file");
            if (format is { } expected && expected != detected && !(expected is ImageFormat.Png or ImageFormat.Jpeg && detected is ImageFormat.Png or ImageFormat.Jpeg))
            {
                throw new SliceImageException(path, $"expected {expected} but the content is {detected}");
            }

            return detected == ImageFormat.Dicom ? LoadDicom(path, frame) : LoadBitmap(path, detected);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SliceImageException(path, "cannot be read: " + ex.Message, ex);
        }
    }

    private static SliceImage LoadDicom(string path, int frame)
    {
        DicomFile file;
        try
        {
            file = DicomFileReader.Open(path);
        }
        catch (DicomException ex)
        {
            throw new SliceImageException(path, "DICOM cannot be decoded: " + ex.Message, ex);
        }

        return Load(file, path, frame);
    }

    /// <summary>Decodes frame <paramref name="frame"/> of a parsed DICOM file to HU; <paramref name="location"/> names it in errors.</summary>
    /// <exception cref="SliceImageException">The frame does not exist or the pixel data cannot be decoded.</exception>
    public static SliceImage Load(DicomFile file, string location, int frame = 0)
    {
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            var frames = file.Dataset.TryGetInt32(DicomTags.NumberOfFrames, out var n) && n > 0 ? n : 1;
            if (frame < 0 || frame >= frames)
            {
                throw new SliceImageException(location, $"frame {frame} asked but the file has {frames}");
            }

            var slice = HuSliceLoader.Load(file, s_codecs.Value, frame);
            return new SliceImage(slice.Hu, slice.Columns, slice.Rows, SliceIntensity.Hu, location)
            {
                PixelSpacingMm = slice.PixelSpacingMm is { } ps && ps.RowMm > 0 && ps.ColumnMm > 0 ? (ps.RowMm + ps.ColumnMm) / 2 : null,
            };
        }
        catch (DicomException ex)
        {
            throw new SliceImageException(location, "DICOM cannot be decoded: " + ex.Message, ex);
        }
        catch (ArgumentException ex)
        {
            throw new SliceImageException(location, "DICOM pixel data is inconsistent: " + ex.Message, ex);
        }
    }

    private static SliceImage LoadBitmap(string path, ImageFormat format)
    {
        using var stream = File.OpenRead(path);
        if (ImageHeader.TryReadSize(stream, format) is { } size && (size.Width > MaxDimension || size.Height > MaxDimension))
        {
            throw new SliceImageException(path, $"image is {size.Width}×{size.Height}; the limit is {MaxDimension}×{MaxDimension}");
        }

        stream.Position = 0;
        using var codec = SKCodec.Create(stream, out var result) ?? throw new SliceImageException(path, $"not a decodable image ({result})");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || info.Width > MaxDimension || info.Height > MaxDimension)
        {
            throw new SliceImageException(path, $"image is {info.Width}×{info.Height}; the limit is {MaxDimension}×{MaxDimension}");
        }

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bytes = new byte[target.BytesSize];
        unsafe
        {
            fixed (byte* p = bytes)
            {
                var decoded = codec.GetPixels(target, (IntPtr)p);
                if (decoded != SKCodecResult.Success)
                {
                    throw new SliceImageException(path, $"image is corrupt or truncated ({decoded})");
                }
            }
        }

        var pixels = new float[info.Width * info.Height];
        for (int i = 0; i < pixels.Length; i++)
        {
            int o = i * 4;
            byte r = bytes[o], g = bytes[o + 1], b = bytes[o + 2];
            pixels[i] = r == g && g == b ? r : (0.299f * r) + (0.587f * g) + (0.114f * b);
        }

        return new SliceImage(pixels, info.Width, info.Height, SliceIntensity.Display, path);
    }
}
