using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring.Rules;

/// <summary>Resolves rule fields on a lead and evaluates conditions.</summary>
internal static class RuleConditions
{
    private static readonly Dictionary<string, RuleOperator> Operators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["equals"] = RuleOperator.Equals,
        ["in"] = RuleOperator.In,
        ["greaterThan"] = RuleOperator.GreaterThan,
        ["lessThan"] = RuleOperator.LessThan,
        ["exists"] = RuleOperator.Exists,
        ["contains"] = RuleOperator.Contains,
    };

    public static IReadOnlyCollection<string> OperatorNames => ["equals", "in", "greaterThan", "lessThan", "exists", "contains"];

    public static RuleOperator? ParseOperator(string? name) =>
        name is not null && Operators.TryGetValue(name.Trim(), out var op) ? op : null;

    public static bool TryParseComparable(string? text, out double value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }

        if (AttributeValueParser.TryParseNumber(text.Trim(), out var number))
        {
            value = (double)number;
            return true;
        }

        if (AttributeValueParser.TryParseDate(text.Trim(), out var date))
        {
            value = (date - DateTimeOffset.UnixEpoch).TotalDays;
            return true;
        }

        return false;
    }

    public static AttributeValue? Resolve(LeadProfile lead, string field)
    {
        var key = field.Trim();
        if (key.StartsWith("attributes.", StringComparison.OrdinalIgnoreCase))
        {
            return Attribute(lead, key["attributes.".Length..]);
        }

        var text = LeadFieldHeaders.Normalize(key) switch
        {
            "firstname" => lead.FirstName,
            "lastname" => lead.LastName,
            "name" or "fullname" => lead.FullName ?? Join(lead.FirstName, lead.LastName),
            "company" => lead.Company,
            "email" => lead.Email,
            "emaildomain" => lead.Email is { } email && email.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? email[(at + 1)..] : null,
            "phone" => lead.Phone,
            "source" or "leadsource" => lead.Source,
            "notes" => lead.Notes,
            "address" => lead.Address,
            "city" => lead.City,
            "state" => lead.State,
            "postalcode" or "zip" or "zipcode" => lead.PostalCode,
            "country" => lead.Country,
            _ => null,
        };
        return text is not null ? string.IsNullOrWhiteSpace(text) ? null : AttributeValue.FromText(text.Trim()) : Attribute(lead, key);
    }

    public static bool Holds(RuleCondition condition, LeadProfile lead)
    {
        var op = ParseOperator(condition.Operator);
        var value = Resolve(lead, condition.Field);
        if (op is null || value is null)
        {
            return false;
        }

        return op switch
        {
            RuleOperator.Exists => true,
            RuleOperator.Equals => condition.Value is { } expected && Matches(value, expected),
            RuleOperator.In => condition.Values?.Any(v => Matches(value, v)) == true,
            RuleOperator.Contains => Candidates(condition).Any(v => value.Display.Contains(v.Trim(), StringComparison.OrdinalIgnoreCase)),
            RuleOperator.GreaterThan => Compare(value, condition.Value) > 0,
            RuleOperator.LessThan => Compare(value, condition.Value) < 0,
            _ => false,
        };
    }

    private static IEnumerable<string> Candidates(RuleCondition condition) =>
        (condition.Value is { } single ? [single] : Enumerable.Empty<string>()).Concat(condition.Values ?? []).Where(v => v.Trim().Length > 0);

    private static bool Matches(AttributeValue value, string expected)
    {
        var trimmed = expected.Trim();
        return value.Kind switch
        {
            AttributeKind.Number when AttributeValueParser.TryParseNumber(trimmed, out var number) => value.Number == number,
            AttributeKind.Boolean when AttributeValueParser.TryParseBoolean(trimmed, out var flag) => value.Boolean == flag,
            AttributeKind.Date when AttributeValueParser.TryParseDate(trimmed, out var date) => value.Date == date,
            _ => string.Equals(value.Display.Trim(), trimmed, StringComparison.OrdinalIgnoreCase)
                || string.Equals(value.AsText().Trim(), trimmed, StringComparison.OrdinalIgnoreCase),
        };
    }

    private static int? Compare(AttributeValue value, string? threshold)
    {
        if (!TryParseComparable(threshold, out var limit))
        {
            return null;
        }

        double? actual = value.Kind switch
        {
            AttributeKind.Number => (double)value.Number!.Value,
            AttributeKind.Date => (value.Date!.Value - DateTimeOffset.UnixEpoch).TotalDays,
            AttributeKind.Text when TryParseComparable(value.Text, out var parsed) => parsed,
            _ => null,
        };
        return actual?.CompareTo(limit);
    }

    private static AttributeValue? Attribute(LeadProfile lead, string name)
    {
        if (lead.Attributes is null)
        {
            return null;
        }

        if (lead.Attributes.TryGetValue(name, out var exact))
        {
            return exact;
        }

        var key = LeadFieldHeaders.Normalize(name);
        foreach (var (attribute, value) in lead.Attributes)
        {
            if (LeadFieldHeaders.Normalize(attribute) == key)
            {
                return value;
            }
        }

        return null;
    }

    private static string? Join(string? first, string? last) =>
        first is null && last is null ? null : $"{first} {last}".Trim();
}
