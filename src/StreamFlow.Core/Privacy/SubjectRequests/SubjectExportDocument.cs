using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamFlow.Core.Privacy.SubjectRequests;

/// <summary>
/// Everything held about a person as one JSON document (leads with their timeline, stage history, quotes, emails sent,
/// jobs and visits, and the customer invoices that bill them) and the same records as a flat CSV of
/// <c>record_type,record_id,lead_id,field,value</c> rows (RFC 4180; a value that a spreadsheet would run as a formula
/// is prefixed with an apostrophe).
/// </summary>
internal static class SubjectExportDocument
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Build(Guid requestId, string subjectKind, DateTimeOffset generatedAt, IReadOnlyList<JsonObject> leads, IReadOnlyDictionary<string, IReadOnlyList<SubjectRecordRow>> related)
    {
        var leadArray = new JsonArray();
        foreach (var lead in leads)
        {
            var leadId = Guid.TryParse(lead["id"]?.ToString(), out var parsed) ? parsed : (Guid?)null;
            foreach (var (name, records) in related)
            {
                if (name == "customerInvoices")
                {
                    continue;
                }

                lead[name] = new JsonArray(records.Where(r => r.LeadId == leadId).Select(r => (JsonNode?)JsonNode.Parse(r.Row)).ToArray());
            }

            // The emails the business sent the person: its quotes, each emailed to the customer address on it.
            lead["emailsSent"] = new JsonArray(rows(related, "quotes").Where(r => r.LeadId == leadId)
                .Select(r => JsonNode.Parse(r.Row)!.AsObject())
                .Where(q => q["sent_at"] is not null && q["customer_email"] is not null)
                .Select(q => (JsonNode?)new JsonObject { ["quoteId"] = q["id"]?.DeepClone(), ["to"] = q["customer_email"]?.DeepClone(), ["sentAt"] = q["sent_at"]?.DeepClone(), ["subject"] = q["title"]?.DeepClone() })
                .ToArray());
            leadArray.Add(lead);
        }

        return new JsonObject
        {
            ["requestId"] = requestId,
            ["generatedAt"] = generatedAt,
            ["subject"] = new JsonObject { ["identifiedBy"] = subjectKind },
            ["leads"] = leadArray,
            ["customerInvoices"] = new JsonArray(rows(related, "customerInvoices").Select(r => JsonNode.Parse(r.Row)).ToArray()),
        };

        static IReadOnlyList<SubjectRecordRow> rows(IReadOnlyDictionary<string, IReadOnlyList<SubjectRecordRow>> related, string name) =>
            related.TryGetValue(name, out var found) ? found : [];
    }

    public static byte[] ToJson(JsonObject document) => Encoding.UTF8.GetBytes(document.ToJsonString(Indented));

    public static byte[] ToCsv(JsonObject document)
    {
        var csv = new StringBuilder("record_type,record_id,lead_id,field,value\r\n");
        foreach (var lead in document["leads"]!.AsArray().Select(l => l!.AsObject()))
        {
            var leadId = lead["id"]?.ToString();
            Write(csv, "lead", leadId, leadId, lead);
            foreach (var (name, value) in lead.Where(p => p.Value is JsonArray))
            {
                foreach (var record in value!.AsArray().OfType<JsonObject>())
                {
                    Write(csv, name, record["id"]?.ToString() ?? record["quoteId"]?.ToString(), leadId, record);
                }
            }
        }

        foreach (var invoice in document["customerInvoices"]!.AsArray().OfType<JsonObject>())
        {
            Write(csv, "customerInvoices", invoice["id"]?.ToString(), null, invoice);
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static void Write(StringBuilder csv, string type, string? id, string? leadId, JsonObject record)
    {
        foreach (var (field, value) in record)
        {
            if (value is JsonArray && type == "lead")
            {
                continue;
            }

            var text = value switch
            {
                null => "",
                JsonValue scalar when scalar.TryGetValue<string>(out var s) => s,
                _ => value.ToJsonString(),
            };
            csv.Append(Field(type)).Append(',').Append(Field(id)).Append(',').Append(Field(leadId)).Append(',')
                .Append(Field(field)).Append(',').Append(Field(text)).Append("\r\n");
        }
    }

    internal static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
