using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.JpegLossless;

/// <summary>
/// The only code that touches GDCM. Compiled against /usr/lib/cli/gdcm-sharp-3.0/gdcm-sharp.dll when that file exists
/// at build time (HEADSUP_GDCM; the build fails without it unless HeadsupAllowMissingGdcm=true); otherwise every call
/// throws <see cref="DicomCodecUnavailableException"/> naming the package to install.
/// </summary>
internal static class GdcmBridge
{
    /// <summary>Debian package holding gdcm-sharp.dll and its glue library.</summary>
    public const string AptPackage = "libgdcm-cil";

    /// <summary>The codec's name in messages and availability reports.</summary>
    public const string CodecName = "JPEG lossless/baseline/extended (GDCM)";

    private const string GlueLibrary = "/usr/lib/cli/gdcm-sharp-3.0/libgdcmsharpglue.so";

    /// <summary>Whether GDCM can be used here, and why not.</summary>
    public static bool TryProbe(out string why)
    {
#if HEADSUP_GDCM
        try
        {
            _ = s_setUp.Value;
            ProbeCore();
            why = string.Empty;
            return true;
        }
        catch (DicomCodecUnavailableException ex)
        {
            why = ex.Why;
            return false;
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            why = LoadFailure(ex);
            return false;
        }
#else
        why = NotBuiltIn;
        return false;
#endif
    }

    /// <summary>Decodes one JPEG stream of <paramref name="length"/> bytes into <paramref name="output"/>.</summary>
    /// <exception cref="DicomCodecUnavailableException">GDCM's bindings or native libraries cannot be loaded.</exception>
    /// <exception cref="InvalidDataException">GDCM could not decode the stream.</exception>
    public static void Decode(TransferSyntax syntax, byte[] input, int length, in PixelDataInfo info, byte[] output)
    {
#if HEADSUP_GDCM
        try
        {
            _ = s_setUp.Value;
            DecodeCore(syntax, input, length, info, output);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            throw new DicomCodecUnavailableException(string.Empty, CodecName, AptPackage, LoadFailure(ex), ex);
        }
#else
        throw new DicomCodecUnavailableException(string.Empty, CodecName, AptPackage, NotBuiltIn);
#endif
    }

#if HEADSUP_GDCM
    private static readonly Lazy<bool> s_setUp = new(SetUp, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>gdcm-sharp.dll missing or unloadable at run time, or its glue/GDCM shared libraries missing.</summary>
    private static bool IsLoadFailure(Exception ex) =>
        ex is FileNotFoundException or FileLoadException or BadImageFormatException or TypeLoadException or DllNotFoundException or EntryPointNotFoundException
        || (ex is TypeInitializationException { InnerException: { } inner } && IsLoadFailure(inner));

    private static string LoadFailure(Exception ex) =>
        $"GDCM's C# bindings or native libraries cannot be loaded: {(ex is TypeInitializationException { InnerException: { } inner } ? inner.Message : ex.Message)}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ProbeCore()
    {
        using var image = new gdcm.Image();
        image.SetNumberOfDimensions(2);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DecodeCore(TransferSyntax syntax, byte[] input, int length, in PixelDataInfo info, byte[] output)
    {
        using var image = new gdcm.Image();
        using var pixelFormat = new gdcm.PixelFormat((ushort)info.SamplesPerPixel, (ushort)info.BitsAllocated, (ushort)info.BitsStored, (ushort)info.HighBit, (ushort)info.PixelRepresentation);
        using var photometric = new gdcm.PhotometricInterpretation(Photometric(info.PhotometricInterpretation));
        using var transferSyntax = new gdcm.TransferSyntax(Syntax(syntax));
        using var tag = new gdcm.Tag(0x7FE0, 0x0010);
        using var pixelData = new gdcm.DataElement(tag);
        using var fragments = gdcm.SequenceOfFragments.New();
        using var fragment = new gdcm.Fragment();
        using var vl = new gdcm.VL((uint)length);
        image.SetNumberOfDimensions(2);
        image.SetDimension(0, (uint)info.Columns);
        image.SetDimension(1, (uint)info.Rows);
        image.SetPixelFormat(pixelFormat);
        image.SetPhotometricInterpretation(photometric);
        image.SetPlanarConfiguration(0);
        image.SetTransferSyntax(transferSyntax);
        fragment.SetByteValue(input, vl);
        fragments.AddFragment(fragment);
        pixelData.SetValue(fragments.__ref__());
        image.SetDataElement(pixelData);

        long needed = image.GetBufferLength();
        if (needed != info.FrameBytes || output.Length < needed)
        {
            throw new InvalidDataException($"GDCM computes a frame of {needed} bytes, the data set needs {info.FrameBytes}");
        }

        if (!image.GetBuffer(output))
        {
            throw new InvalidDataException($"GDCM could not decode the {syntax.Name} stream (corrupt or unsupported)");
        }
    }

    private static bool SetUp()
    {
        if (!File.Exists(GlueLibrary))
        {
            throw new DicomCodecUnavailableException(string.Empty, CodecName, AptPackage, $"{GlueLibrary} was not found");
        }

        NativeLibrary.SetDllImportResolver(typeof(gdcm.Image).Assembly, static (name, _, _) =>
            name.Contains("gdcmsharpglue", StringComparison.Ordinal) ? NativeLibraries.LoadFirst([GlueLibrary], AptPackage) : IntPtr.Zero);

        // GDCM reports to stderr; failures surface as a false return, which is turned into an exception above.
        gdcm.Trace.WarningOff();
        gdcm.Trace.ErrorOff();
        gdcm.Trace.DebugOff();
        return true;
    }

    private static gdcm.TransferSyntax.TSType Syntax(TransferSyntax syntax) => syntax.Uid switch
    {
        "1.2.840.10008.1.2.4.50" => gdcm.TransferSyntax.TSType.JPEGBaselineProcess1,
        "1.2.840.10008.1.2.4.51" => gdcm.TransferSyntax.TSType.JPEGExtendedProcess2_4,
        "1.2.840.10008.1.2.4.57" => gdcm.TransferSyntax.TSType.JPEGLosslessProcess14,
        _ => gdcm.TransferSyntax.TSType.JPEGLosslessProcess14_1,
    };

    private static gdcm.PhotometricInterpretation.PIType Photometric(string value) => value.Trim() switch
    {
        "MONOCHROME1" => gdcm.PhotometricInterpretation.PIType.MONOCHROME1,
        "RGB" => gdcm.PhotometricInterpretation.PIType.RGB,
        "YBR_FULL" => gdcm.PhotometricInterpretation.PIType.YBR_FULL,
        "YBR_FULL_422" => gdcm.PhotometricInterpretation.PIType.YBR_FULL_422,
        "PALETTE COLOR" => gdcm.PhotometricInterpretation.PIType.PALETTE_COLOR,
        _ => gdcm.PhotometricInterpretation.PIType.MONOCHROME2,
    };
#else
    private const string NotBuiltIn =
        "built with -p:HeadsupAllowMissingGdcm=true, without GDCM's C# bindings; rebuild after installing them";
#endif
}
