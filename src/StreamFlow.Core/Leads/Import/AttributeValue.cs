using System.Globalization;
using System.Text.Json.Serialization;

namespace StreamFlow.Core.Leads.Import;

/// <summary>The type of a lead attribute, inferred per column from every value in an import.</summary>
public enum AttributeKind
{
    Number,
    Boolean,
    Date,
    Text,
}

/// <summary>
/// A typed value of a free-form lead attribute (a CSV column that is not a known lead field). Exactly one of
/// <see cref="Number"/>, <see cref="Boolean"/>, <see cref="Date"/> and <see cref="Text"/> is set, as
/// <see cref="Kind"/> says. Serializes as <c>{ "kind": "number", "number": 5 }</c>.
/// </summary>
public sealed record AttributeValue
{
    [JsonConstructor]
    private AttributeValue(AttributeKind kind, decimal? number, bool? boolean, DateTimeOffset? date, string? text)
    {
        Kind = kind;
        Number = number;
        Boolean = boolean;
        Date = date;
        Text = text;
    }

    public AttributeKind Kind { get; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Number { get; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Boolean { get; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Date { get; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; }

    public static AttributeValue FromNumber(decimal value) => new(AttributeKind.Number, value, null, null, null);

    public static AttributeValue FromBoolean(bool value) => new(AttributeKind.Boolean, null, value, null, null);

    public static AttributeValue FromDate(DateTimeOffset value) => new(AttributeKind.Date, null, null, value.ToUniversalTime(), null);

    public static AttributeValue FromText(string value) => new(AttributeKind.Text, null, null, null, value);

    /// <summary>The value as a person would write it: "1,520", "2.5", "Yes", "2026-03-01", or the text itself.</summary>
    [JsonIgnore]
    public string Display => Kind switch
    {
        AttributeKind.Number => FormatNumber(Number!.Value),
        AttributeKind.Boolean => Boolean!.Value ? "Yes" : "No",
        AttributeKind.Date => Date!.Value.TimeOfDay == TimeSpan.Zero
            ? Date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : Date.Value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        _ => Text!,
    };

    /// <summary>The value as text, whatever its kind: what a text comparison or a category sees.</summary>
    public string AsText() => Kind switch
    {
        AttributeKind.Number => Number!.Value.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Boolean => Boolean!.Value ? "true" : "false",
        AttributeKind.Date => Date!.Value.ToString("O", CultureInfo.InvariantCulture),
        _ => Text!,
    };

    public override string ToString() => Display;

    private static string FormatNumber(decimal value) =>
        decimal.Truncate(value) == value
            ? value.ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.##########", CultureInfo.InvariantCulture);
}
