using System.Buffers.Binary;
using Headsup.Dicom;
using Headsup.Dicom.Codecs;
using Headsup.Imaging.Slices;

namespace Headsup.Service.Viewer;

/// <summary>One slice's Hounsfield units for the browser viewer: signed 16-bit little-endian, rows × columns.</summary>
/// <param name="Pixels">HU values, row-major, little-endian int16 (clamped to −32768…32767).</param>
/// <param name="Rows">Rows.</param>
/// <param name="Columns">Columns.</param>
/// <param name="PixelSpacing">Row and column spacing (mm), when the file gives it.</param>
public sealed record SliceHu(byte[] Pixels, int Rows, int Columns, (double Row, double Column)? PixelSpacing);

/// <summary>
/// Decodes a stored slice to HU for the viewer with the same reader, codecs and rescale as the triage, so the reader
/// sees exactly the numbers the model saw (windowing is done in the browser, so window/level by drag is immediate).
/// </summary>
public sealed class SliceImages
{
    /// <summary>The largest slice served (pixels): larger frames are refused rather than buffered.</summary>
    public const int MaxPixels = 4096 * 4096;

    private readonly CodecRegistry _codecs = CodecRegistry.CreateDefault();

    /// <summary>Decodes the file at <paramref name="path"/>.</summary>
    /// <exception cref="DicomException">The file cannot be read or decoded.</exception>
    /// <exception cref="InvalidDataException">The slice is larger than <see cref="MaxPixels"/>.</exception>
    public SliceHu Load(string path)
    {
        var file = DicomFileReader.Open(path);
        var slice = HuSliceLoader.Load(file, _codecs);
        if ((long)slice.Rows * slice.Columns > MaxPixels)
        {
            throw new InvalidDataException($"the slice is {slice.Rows} × {slice.Columns}: larger than the viewer serves");
        }

        var bytes = new byte[slice.Hu.Length * 2];
        var span = bytes.AsSpan();
        for (int i = 0; i < slice.Hu.Length; i++)
        {
            float v = slice.Hu[i];
            short s = float.IsNaN(v) ? (short)-1024 : (short)Math.Clamp(MathF.Round(v), short.MinValue, short.MaxValue);
            BinaryPrimitives.WriteInt16LittleEndian(span.Slice(i * 2, 2), s);
        }

        return new SliceHu(bytes, slice.Rows, slice.Columns, slice.PixelSpacingMm);
    }
}
