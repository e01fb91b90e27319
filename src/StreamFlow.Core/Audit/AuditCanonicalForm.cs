using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StreamFlow.Core.Audit;

/// <summary>
/// The byte-exact form each entry's hash is computed over: compact UTF-8 JSON with a fixed member order, object keys
/// of <c>details</c> sorted ordinally, times in UTC with microseconds (PostgreSQL's precision), hashes in lower hex.
/// Changing anything here breaks every existing chain: a unit test pins the bytes.
/// </summary>
public static class AuditCanonicalForm
{
    public static byte[] Serialize(
        long sequence, string system, Guid? tenantId, string actor, string action, string? target, string outcome,
        string? ip, string? userAgent, DateTimeOffset occurredAt, string detailsJson, byte[] prevHash)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", sequence);
            writer.WriteString("system", system);
            WriteNullable(writer, "tenantId", tenantId?.ToString("D"));
            writer.WriteString("actor", actor);
            writer.WriteString("action", action);
            WriteNullable(writer, "target", target);
            writer.WriteString("outcome", outcome);
            WriteNullable(writer, "ip", ip);
            WriteNullable(writer, "userAgent", userAgent);
            writer.WriteString("occurredAt", FormatTime(occurredAt));
            writer.WritePropertyName("details");
            using (var details = JsonDocument.Parse(detailsJson))
            {
                WriteSorted(writer, details.RootElement);
            }

            writer.WriteString("prevHash", Convert.ToHexStringLower(prevHash));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] Hash(byte[] canonical) => SHA256.HashData(canonical);

    /// <summary>Truncates to whole microseconds, the precision a timestamptz keeps.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    public static string FormatTime(DateTimeOffset time) =>
        ToStoredPrecision(time).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    internal static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
