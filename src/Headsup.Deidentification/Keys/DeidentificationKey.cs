using System.Security.Cryptography;
using System.Text;

namespace Headsup.Deidentification.Keys;

/// <summary>
/// The site key that makes pseudonyms and UIDs repeatable: read from a file (raw bytes, or one line of text), from
/// text (an environment variable), or generated and saved with owner-only permissions. Keep it secret and keep it:
/// the same key maps the same patient and UIDs the same way next time; anyone with the key can test guesses.
/// </summary>
public static class DeidentificationKey
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinimumBytes = 16;

    /// <summary>The longest key file read, in bytes.</summary>
    public const int MaximumFileBytes = 4096;

    /// <summary>
    /// Reads a key file: when the file is one line of printable text (a trailing line break allowed), the key is that
    /// line's UTF-8 bytes with surrounding white space removed; otherwise the file's raw bytes are the key.
    /// </summary>
    /// <exception cref="DeidentificationKeyException">The file is missing, unreadable, too long or too short.</exception>
    public static byte[] Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new DeidentificationKeyException(path, "the key file does not exist");
            }

            if (info.Length > MaximumFileBytes)
            {
                throw new DeidentificationKeyException(path, $"the key file has {info.Length} bytes, more than the {MaximumFileBytes} a key file may have");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DeidentificationKeyException(path, "the key file cannot be read: " + ex.Message, ex);
        }

        var key = IsOneTextLine(bytes) ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Trim()) : bytes;
        return Checked(key, path);
    }

    /// <summary>A key given as text (e.g. the HEADSUP_DEID_KEY environment variable): its UTF-8 bytes, white space trimmed.</summary>
    /// <exception cref="DeidentificationKeyException">The text is shorter than <see cref="MinimumBytes"/> bytes.</exception>
    public static byte[] FromText(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Checked(Encoding.UTF8.GetBytes(text.Trim()), origin);
    }

    /// <summary>
    /// Generates a random key (32 bytes, written as 64 hex digits and a line break) into a new file readable only by its
    /// owner (mode 0600 on Unix), and returns the key as <see cref="Load"/> will read it back.
    /// </summary>
    /// <exception cref="IOException">The file exists already or cannot be written.</exception>
    public static byte[] Generate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(text + "\n"));
            stream.Flush(flushToDisk: true);
        }

        return Encoding.ASCII.GetBytes(text);
    }

    private static bool IsOneTextLine(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var line = text.TrimEnd('\r', '\n');
        return line.Length > 0 && !line.Any(c => c is '\r' or '\n' || (char.IsControl(c) && c != '\t'));
    }

    private static byte[] Checked(byte[] key, string origin) =>
        key.Length >= MinimumBytes
            ? key
            : throw new DeidentificationKeyException(origin, $"the key has {key.Length} byte(s); at least {MinimumBytes} are needed (use a long random line, e.g. `openssl rand -hex 32`)");
}

/// <summary>The de-identification key cannot be used: missing, unreadable or too short.</summary>
public sealed class DeidentificationKeyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeidentificationKeyException(string origin, string problem, Exception? inner = null)
        : base($"{origin}: {problem}", inner)
    {
        Origin = origin;
        Problem = problem;
    }

    /// <summary>The key file or variable.</summary>
    public string Origin { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
