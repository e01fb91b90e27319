using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring;

/// <summary>
/// What scoring knows about one lead: its contact fields and its typed attributes, as plain data. The rules read
/// every field; the learned model reads the descriptive ones (<see cref="ModelFieldLabels"/>) and the attributes,
/// never names, email addresses, phone numbers or notes.
/// </summary>
public sealed record LeadProfile(
    string? FirstName = null,
    string? LastName = null,
    string? FullName = null,
    string? Company = null,
    string? Email = null,
    string? Phone = null,
    string? Source = null,
    string? Notes = null,
    string? Address = null,
    string? City = null,
    string? State = null,
    string? PostalCode = null,
    string? Country = null,
    IReadOnlyDictionary<string, AttributeValue>? Attributes = null)
{
    /// <summary>The lead fields the model learns from, and the names its explanations give them.</summary>
    public static IReadOnlyList<string> ModelFieldLabels { get; } = ["Lead Source", "City", "State", "Postal Code", "Country"];

    public static LeadProfile FromImported(ImportedLead lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return new LeadProfile(
            lead.FirstName, lead.LastName, lead.FullName, lead.Company, lead.Email, lead.Phone, lead.Source, lead.Notes,
            lead.Address, lead.City, lead.State, lead.PostalCode, lead.Country, lead.Attributes);
    }

    /// <summary>A value the model sees: one of <see cref="ModelFieldLabels"/>, else the attribute of that name.</summary>
    public AttributeValue? ModelFeature(string name) => ModelFieldLabels.Contains(name)
        ? Text(ModelFieldText(name))
        : Attributes is not null && Attributes.TryGetValue(name, out var value) ? value : null;

    /// <summary>The text of one of <see cref="ModelFieldLabels"/>, without allocating a value (the scoring hot path).</summary>
    internal string? ModelFieldText(string label) => label switch
    {
        "Lead Source" => Source,
        "City" => City,
        "State" => State,
        "Postal Code" => PostalCode,
        "Country" => Country,
        _ => null,
    };

    /// <summary>Every value the model may see, by name.</summary>
    public IEnumerable<KeyValuePair<string, AttributeValue>> ModelFeatures()
    {
        foreach (var label in ModelFieldLabels)
        {
            if (ModelFeature(label) is { } value)
            {
                yield return new(label, value);
            }
        }

        foreach (var attribute in Attributes ?? new Dictionary<string, AttributeValue>())
        {
            if (!ModelFieldLabels.Contains(attribute.Key))
            {
                yield return attribute;
            }
        }
    }

    private static AttributeValue? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : AttributeValue.FromText(value);
}
