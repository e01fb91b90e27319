using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring;

/// <summary>
/// Converts between stored lead attributes (plain JSON scalars) and the typed values scoring reads. Training and
/// scoring both go through here, so a value always reaches the model in the same form.
/// </summary>
public static class LeadProfiles
{
    public static LeadProfile From(Lead lead) => new(
        lead.FirstName, lead.LastName, null, lead.Company, lead.Email, lead.Phone, lead.Source, lead.Notes, null,
        lead.City, lead.State, lead.PostalCode, lead.Country, AttributesFrom(lead.Attributes));

    public static IReadOnlyDictionary<string, AttributeValue> AttributesFrom(JsonElement attributes)
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
