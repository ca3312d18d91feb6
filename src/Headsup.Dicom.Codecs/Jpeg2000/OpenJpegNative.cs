using System.Runtime.InteropServices;

namespace Headsup.Dicom.Codecs.Jpeg2000;

/// <summary>OpenJPEG 2.x C API (openjpeg.h), resolved to libopenjp2.so.7 by <see cref="NativeLibraries"/>.</summary>
internal static unsafe partial class OpenJpegNative
{
    /// <summary>OPJ_CODEC_J2K: a raw codestream.</summary>
    public const int CodecJ2k = 0;

    /// <summary>OPJ_CODEC_JP2: the JP2 file format.</summary>
    public const int CodecJp2 = 2;

    /// <summary>Bytes reserved for opj_dparameters_t (about 8.3 KB in 2.5); filled by opj_set_default_decoder_parameters.</summary>
    public const int DecoderParametersBytes = 16 * 1024;

    /// <summary>opj_image_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Image
    {
        public uint X0;
        public uint Y0;
        public uint X1;
        public uint Y1;
        public uint ComponentCount;
        public int ColorSpace;
        public ImageComponent* Components;
        public byte* IccProfile;
        public uint IccProfileLength;
    }

    /// <summary>opj_image_comp_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ImageComponent
    {
        public uint Dx;
        public uint Dy;
        public uint W;
        public uint H;
        public uint X0;
        public uint Y0;
        public uint Precision;
        public uint DeprecatedBpp;
        public uint Signed;
        public uint ResolutionsDecoded;
        public uint Factor;
        public int* Data;
        public ushort Alpha;
    }

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_create_decompress")]
    public static partial IntPtr CreateDecompress(int format);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_destroy_codec")]
    public static partial void DestroyCodec(IntPtr codec);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_set_default_decoder_parameters")]
    public static partial void SetDefaultDecoderParameters(byte* parameters);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_setup_decoder")]
    public static partial int SetupDecoder(IntPtr codec, byte* parameters);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_set_error_handler")]
    public static partial int SetErrorHandler(IntPtr codec, delegate* unmanaged<byte*, void*, void> handler, void* clientData);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_create")]
    public static partial IntPtr StreamCreate(nuint bufferSize, int isInput);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_destroy")]
    public static partial void StreamDestroy(IntPtr stream);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_read_function")]
    public static partial void StreamSetReadFunction(IntPtr stream, delegate* unmanaged<void*, nuint, void*, nuint> read);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_skip_function")]
    public static partial void StreamSetSkipFunction(IntPtr stream, delegate* unmanaged<long, void*, long> skip);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_seek_function")]
    public static partial void StreamSetSeekFunction(IntPtr stream, delegate* unmanaged<long, void*, int> seek);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_user_data")]
    public static partial void StreamSetUserData(IntPtr stream, void* data, IntPtr freeFunction);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_user_data_length")]
    public static partial void StreamSetUserDataLength(IntPtr stream, ulong length);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_read_header")]
    public static partial int ReadHeader(IntPtr stream, IntPtr codec, out Image* image);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_decode")]
    public static partial int Decode(IntPtr codec, IntPtr stream, Image* image);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_end_decompress")]
    public static partial int EndDecompress(IntPtr codec, IntPtr stream);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_image_destroy")]
    public static partial void ImageDestroy(Image* image);
}
