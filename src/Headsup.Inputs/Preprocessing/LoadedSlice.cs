using System.Buffers;
using Headsup.Dicom;
using Headsup.Dicom.Pixels;
using Headsup.Imaging.Slices;
using Headsup.Series.Sources;

namespace Headsup.Inputs.Preprocessing;

/// <summary>
/// A parsed file and its first frame in HU, in pooled buffers returned on <see cref="Dispose"/>; or why it could not
/// be read (reported for it and for the slices it is a neighbour of).
/// </summary>
internal sealed class LoadedSlice : IDisposable
{
    private byte[]? _bytes;
    private float[]? _hu;
    private DicomFile? _file;
    private PixelFrameReader? _reader;
    private HuSlice? _slice;
    private Exception? _error;

    /// <summary>Reads, parses and converts frame 0; an input failure is kept, not thrown.</summary>
    public static LoadedSlice Load(DicomSource source, IFrameDecoderRegistry codecs, bool applyRsnaCorrection)
    {
        var loaded = new LoadedSlice();
        try
        {
            loaded._bytes = SourceBytes.Read(source, out int length);
            loaded._file = DicomFileReader.Parse(loaded._bytes.AsMemory(0, length), source.Location);
            loaded._reader = PixelFrameReader.Create(loaded._file, codecs);
            var info = loaded._reader.Info;
            int plane = info.Rows * info.Columns;
            loaded._hu = ArrayPool<float>.Shared.Rent(plane);
            HuSliceLoader.LoadInto(loaded._file, loaded._reader, 0, loaded._hu.AsSpan(0, plane), applyRsnaCorrection);
            loaded._slice = new HuSlice(loaded._hu, info.Rows, info.Columns, loaded._file.SourceName);
        }
        catch (Exception ex) when (UnitConverter.IsInputFailure(ex))
        {
            loaded._error = ex;
        }

        return loaded;
    }

    /// <summary>The parsed file; throws the load error (an input failure) when it could not be read.</summary>
    public DicomFile RequireFile() => _slice is not null ? _file! : throw _error!;

    /// <summary>The first frame in HU; throws the load error when it could not be read.</summary>
    public HuSlice Require() => _slice ?? throw _error!;

    /// <summary>Converts another frame of the file to HU into <paramref name="hu"/> (rows × columns values).</summary>
    public HuSlice LoadFrame(int frame, float[] hu, bool applyRsnaCorrection)
    {
        var slice = Require();
        HuSliceLoader.LoadInto(_file!, _reader!, frame, hu.AsSpan(0, slice.Rows * slice.Columns), applyRsnaCorrection);
        return new HuSlice(hu, slice.Rows, slice.Columns, slice.SourceName);
    }

    /// <summary>Returns the buffers; the file and slice must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
        }

        if (_hu is not null)
        {
            ArrayPool<float>.Shared.Return(_hu);
        }

        _bytes = null;
        _hu = null;
        _file = null;
        _reader = null;
        _slice = null;
    }
}
