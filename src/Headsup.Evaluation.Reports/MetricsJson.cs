using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headsup.Evaluation.Reports;

/// <summary>System.Text.Json settings for metrics.json: snake_case, indented, NaN and ±∞ as null (read back as NaN).</summary>
public static class MetricsJson
{
    /// <summary>The serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Serialises a document to UTF-8 JSON.</summary>
    public static byte[] Serialize(MetricsDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Options);

    /// <summary>Reads a document written by <see cref="Serialize"/>.</summary>
    public static MetricsDocument Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<MetricsDocument>(utf8Json, Options) ?? throw new JsonException("metrics.json is null");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,

            // Keep "—" and other non-ASCII text readable; the file is data, never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new NullForNonFiniteConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes NaN and infinities as null, reads null as NaN.</summary>
    private sealed class NullForNonFiniteConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
