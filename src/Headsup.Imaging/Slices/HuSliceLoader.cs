using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Rescale;

namespace Headsup.Imaging.Slices;

/// <summary>Reads a CT frame from a DICOM file and converts it to a <see cref="HuSlice"/>.</summary>
public static class HuSliceLoader
{
    /// <summary>Loads one frame in HU. Codecs come from the caller so Imaging does not depend on codec libraries.</summary>
    /// <exception cref="DicomException">The pixel data cannot be read or decoded.</exception>
    public static HuSlice Load(DicomFile file, IFrameDecoderRegistry? codecs, int frame = 0, bool applyRsnaCorrection = true, bool mapPaddingToAir = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        var reader = PixelFrameReader.Create(file, codecs);
        var info = reader.Info;
        var hu = new float[info.Rows * info.Columns];
        LoadInto(file, reader, frame, hu, applyRsnaCorrection, mapPaddingToAir);
        var dataset = file.Dataset;
        return new HuSlice(hu, info.Rows, info.Columns, file.SourceName)
        {
            PixelSpacingMm = dataset.TryGetDoubles(DicomTags.PixelSpacing, out var ps) && ps.Length == 2 ? (ps[0], ps[1]) : null,
            PositionPatientMm = dataset.TryGetDoubles(DicomTags.ImagePositionPatient, out var ipp) && ipp.Length == 3 ? ipp : null,
            SopInstanceUid = dataset.TryGetString(DicomTags.SOPInstanceUID, out var uid) ? uid : null,
            InstanceNumber = dataset.TryGetInt32(DicomTags.InstanceNumber, out var n) ? n : null,
        };
    }

    /// <summary>
    /// Converts one frame to HU into a caller's buffer (rows × columns), without allocating per call: native frames
    /// are read in place, compressed ones through a pooled buffer.
    /// </summary>
    /// <exception cref="DicomException">The pixel data cannot be read or decoded.</exception>
    public static void LoadInto(DicomFile file, PixelFrameReader reader, int frame, Span<float> hu, bool applyRsnaCorrection = true, bool mapPaddingToAir = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(reader);
        var info = reader.Info;
        if (info.SamplesPerPixel != 1)
        {
            throw new DicomPixelDataException(file.SourceName, $"{info.PhotometricInterpretation} with {info.SamplesPerPixel} samples per pixel is not a CT image");
        }

        var parameters = RescaleParameters.FromDataset(file.Dataset, info, applyRsnaCorrection);
        if (!mapPaddingToAir)
        {
            parameters = parameters with { MapPaddingToAir = false, OutOfFieldBelowHu = null };
        }

        if (reader.TryGetNativeFrame(frame, out var native))
        {
            HuConverter.Convert(native.Span, info, parameters, hu);
            return;
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(reader.FrameBytes);
        try
        {
            reader.ReadFrame(frame, buffer);
            HuConverter.Convert(buffer.AsSpan(0, reader.FrameBytes), info, parameters, hu);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
