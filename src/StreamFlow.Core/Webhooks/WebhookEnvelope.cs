using System.Text.Json;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// The request body of every webhook: <c>{ "id", "type", "tenantId", "occurredAt", "data": {...} }</c>. Built from the
/// stored event the same way every time, so each attempt of a message sends the same bytes.
/// </summary>
public static class WebhookEnvelope
{
    public static byte[] Serialize(string messageId, string eventType, Guid tenantId, DateTimeOffset occurredAt, string dataJson)
    {
        using var data = JsonDocument.Parse(dataJson);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(dataJson.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", messageId);
            writer.WriteString("type", eventType);
            writer.WriteString("tenantId", tenantId);
            writer.WriteString("occurredAt", occurredAt.UtcDateTime);
            writer.WritePropertyName("data");
            data.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
