using System.Globalization;
using System.Text.Json;

namespace StreamFlow.Core.Leads.Import;

/// <summary>
/// Lead attributes as leads store them (plain JSON scalars, dates as ISO-8601 strings) and back to typed values, so
/// that an imported value reads back, for scoring and training alike, in the form it was written.
/// </summary>
public static class StoredAttributes
{
    public static IReadOnlyDictionary<string, AttributeValue> Read(JsonElement attributes)
    {
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            return values;
        }

        foreach (var property in attributes.EnumerateObject())
        {
            AttributeValue? value = property.Value.ValueKind switch
            {
                JsonValueKind.Number => AttributeValue.FromNumber(property.Value.GetDecimal()),
                JsonValueKind.True => AttributeValue.FromBoolean(true),
                JsonValueKind.False => AttributeValue.FromBoolean(false),
                JsonValueKind.String when property.Value.GetString() is { Length: > 0 } text => AttributeValue.FromText(text),
                // A multiple choice (["Hardscape", "Irrigation"]) reads as its choices in one text.
                JsonValueKind.Array when property.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) && property.Value.GetArrayLength() > 0
                    => AttributeValue.FromText(string.Join(", ", property.Value.EnumerateArray().Select(v => v.GetString()))),
                _ => null,
            };
            if (value is not null)
            {
                values[property.Name] = value;
            }
        }

        return values;
    }

    /// <summary>Imported typed attributes as the JSON scalars leads store (dates as ISO-8601 strings).</summary>
    public static Dictionary<string, object?> ToJson(IReadOnlyDictionary<string, AttributeValue> attributes) =>
        attributes.ToDictionary(a => a.Key, a => a.Value.Kind switch
        {
            AttributeKind.Number => (object?)a.Value.Number,
            AttributeKind.Boolean => a.Value.Boolean,
            AttributeKind.Date => a.Value.Date!.Value.ToString("O", CultureInfo.InvariantCulture),
            _ => a.Value.Text,
        }, StringComparer.Ordinal);
}
