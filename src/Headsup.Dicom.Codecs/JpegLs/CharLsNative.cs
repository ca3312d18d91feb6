using System.Runtime.InteropServices;

namespace Headsup.Dicom.Codecs.JpegLs;

/// <summary>CharLS 2.x C API (charls/charls_jpegls_decoder.h), resolved to libcharls.so.2 by <see cref="NativeLibraries"/>.</summary>
internal static partial class CharLsNative
{
    /// <summary>charls_frame_info.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    /// <summary>charls_interleave_mode.</summary>
    public enum InterleaveMode
    {
        None = 0,
        Line = 1,
        Sample = 2,
    }

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_create")]
    public static partial IntPtr DecoderCreate();

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_destroy")]
    public static partial void DecoderDestroy(IntPtr decoder);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_set_source_buffer")]
    public static unsafe partial int SetSourceBuffer(IntPtr decoder, byte* source, nuint sourceSize);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_read_header")]
    public static partial int ReadHeader(IntPtr decoder);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_frame_info")]
    public static partial int GetFrameInfo(IntPtr decoder, out FrameInfo frameInfo);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_near_lossless")]
    public static partial int GetNearLossless(IntPtr decoder, int component, out int nearLossless);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_interleave_mode")]
    public static partial int GetInterleaveMode(IntPtr decoder, out InterleaveMode mode);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_destination_size")]
    public static partial int GetDestinationSize(IntPtr decoder, uint stride, out nuint size);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_decode_to_buffer")]
    public static unsafe partial int DecodeToBuffer(IntPtr decoder, byte* destination, nuint destinationSize, uint stride);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_get_error_message")]
    public static partial IntPtr GetErrorMessage(int error);

    /// <summary>Throws <see cref="InvalidDataException"/> with CharLS's message when <paramref name="error"/> is not 0.</summary>
    public static void Check(int error, string operation)
    {
        if (error != 0)
        {
            string message = Marshal.PtrToStringUTF8(GetErrorMessage(error)) ?? "unknown error";
            throw new InvalidDataException($"CharLS {operation} failed ({error}): {message}");
        }
    }
}
