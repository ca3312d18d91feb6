using System.Runtime.InteropServices;
using Headsup.Dicom.Pixels;

namespace Headsup.Dicom.Codecs.JpegLossless;

/// <summary>
/// The only code that touches GDCM. Compiled against /usr/lib/cli/gdcm-sharp-3.0/gdcm-sharp.dll when that file exists
/// at build time (HEADSUP_GDCM); otherwise every call explains which package to install.
/// </summary>
internal static class GdcmBridge
{
    /// <summary>Debian package holding gdcm-sharp.dll and its glue library.</summary>
    public const string AptPackage = "libgdcm-cil";

    private const string GlueLibrary = "/usr/lib/cli/gdcm-sharp-3.0/libgdcmsharpglue.so";

#if HEADSUP_GDCM
    private static readonly Lazy<bool> s_setUp = new(SetUp, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Decodes one JPEG stream of <paramref name="length"/> bytes into <paramref name="output"/>.</summary>
    public static void Decode(TransferSyntax syntax, byte[] input, int length, in PixelDataInfo info, byte[] output)
    {
        _ = s_setUp.Value;
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
            throw new DllNotFoundException($"{GlueLibrary} was not found: install the Debian package with `apt-get install {AptPackage}`");
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
    /// <summary>Always throws: this build has no GDCM bindings.</summary>
    public static void Decode(TransferSyntax syntax, byte[] input, int length, in PixelDataInfo info, byte[] output) =>
        throw new DllNotFoundException(
            $"JPEG decoding needs GDCM's C# bindings, which were absent when Headsup.Dicom.Codecs was built: `apt-get install {AptPackage}`, then rebuild");
#endif
}
