using Headsup.Core.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Headsup.Dicom.Writing;

namespace Headsup.Triage;

/// <summary>results.json: snake_case, indented, written atomically.</summary>
public static class TriageJson
{
    /// <summary>The serializer settings.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes the results.</summary>
    public static void Write(string path, TriageResults results) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, results, Options));

    /// <summary>Reads results written by <see cref="Write"/>.</summary>
    public static TriageResults Read(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<TriageResults>(stream, Options) ?? throw new InvalidDataException($"{path}: empty results");
    }
}
