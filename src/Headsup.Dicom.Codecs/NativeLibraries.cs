using System.Reflection;
using System.Runtime.InteropServices;

namespace Headsup.Dicom.Codecs;

/// <summary>
/// Maps the logical library names used by this assembly's P/Invoke declarations to Debian's versioned shared objects,
/// and turns a missing library into an exception that names the apt package to install.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical name of CharLS (JPEG-LS).</summary>
    public const string CharLs = "headsup-charls";

    /// <summary>Logical name of OpenJPEG (JPEG 2000).</summary>
    public const string OpenJpeg = "headsup-openjp2";

    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, IntPtr> s_handles = new(StringComparer.Ordinal);
    private static bool s_resolverInstalled;

    private static readonly Dictionary<string, (string[] Candidates, string AptPackage, string Codec)> s_known = new(StringComparer.Ordinal)
    {
        [CharLs] = (["libcharls.so.2", "/usr/lib/x86_64-linux-gnu/libcharls.so.2", "/usr/lib/aarch64-linux-gnu/libcharls.so.2"], "libcharls2", "JPEG-LS (CharLS)"),
        [OpenJpeg] = (["libopenjp2.so.7", "/usr/lib/x86_64-linux-gnu/libopenjp2.so.7", "/usr/lib/aarch64-linux-gnu/libopenjp2.so.7"], "libopenjp2-7", "JPEG 2000 (OpenJPEG)"),
    };

    /// <summary>The codec a logical library provides, for messages.</summary>
    public static string CodecName(string logicalName) => s_known[logicalName].Codec;

    /// <summary>The shared object a logical library is loaded from (its first candidate).</summary>
    public static string LibraryFile(string logicalName) => s_known[logicalName].Candidates[0];

    /// <summary>The Debian package that provides a logical library.</summary>
    public static string AptPackage(string logicalName) => s_known[logicalName].AptPackage;

    /// <summary>
    /// Loads a library (once) and installs the resolver for this assembly.
    /// </summary>
    /// <exception cref="DicomCodecUnavailableException">The library is not installed; names the codec and the apt package.</exception>
    public static void Require(string logicalName)
    {
        if (!TryRequire(logicalName, out var why))
        {
            var (_, package, codec) = s_known[logicalName];
            throw new DicomCodecUnavailableException(string.Empty, codec, package, why);
        }
    }

    /// <summary>Like <see cref="Require"/>, but returns false with the reason instead of throwing.</summary>
    public static bool TryRequire(string logicalName, out string why)
    {
        lock (s_gate)
        {
            if (!s_resolverInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                s_resolverInstalled = true;
            }

            why = string.Empty;
            if (s_handles.ContainsKey(logicalName))
            {
                return true;
            }

            var (candidates, _, _) = s_known[logicalName];
            foreach (var candidate in candidates)
            {
                if (NativeLibrary.TryLoad(candidate, out var handle))
                {
                    s_handles[logicalName] = handle;
                    return true;
                }
            }

            why = $"{candidates[0]} was not found (tried {string.Join(", ", candidates)})";
            return false;
        }
    }

    /// <summary>Loads the first candidate that exists, or throws naming the apt package.</summary>
    public static IntPtr LoadFirst(IReadOnlyList<string> candidates, string aptPackage)
    {
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"native library {candidates[0]} was not found (tried {string.Join(", ", candidates)}): install the Debian package with `apt-get install {aptPackage}`");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        lock (s_gate)
        {
            if (s_handles.TryGetValue(libraryName, out var handle))
            {
                return handle;
            }
        }

        if (s_known.TryGetValue(libraryName, out var entry))
        {
            // Reached only when a P/Invoke runs before Require; load now so the caller still gets the clear message.
            Require(libraryName);
            lock (s_gate)
            {
                return s_handles[libraryName];
            }
        }

        return IntPtr.Zero;
    }
}
