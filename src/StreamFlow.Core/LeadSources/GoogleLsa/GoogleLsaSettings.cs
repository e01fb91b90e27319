using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// A Local Services connection's settings: the advertiser's Google Ads <c>customerId</c> (ten digits, dashes allowed),
/// the manager account to call through (<c>loginCustomerId</c>), how far the first sync reaches back
/// (<c>lookbackDays</c>, 1–365, default 30) and how far every later one reads again for changed charge and credit
/// states (<c>revisitDays</c>, 0–90, default 30), the leads' <c>leadSource</c>, the price Google charges per lead
/// (<c>leadPrice</c> with its currency, <c>categoryPrices</c> per category id) — the API does not expose it — and
/// whether won and lost leads are sent back as lead feedback (<c>sendFeedback</c>, default true).
/// </summary>
public sealed record GoogleLsaSettings(
    string CustomerId, string? LoginCustomerId, int LookbackDays, int RevisitDays, string Source, decimal? LeadPrice, string? Currency,
    IReadOnlyDictionary<string, decimal> CategoryPrices, bool SendFeedback)
{
    public const int DefaultLookbackDays = 30;
    public const int DefaultRevisitDays = 30;
    public const string DefaultSource = "Google Local Services";

    private static readonly string[] Names = ["customerId", "loginCustomerId", "lookbackDays", "revisitDays", "leadSource", "leadPrice", "categoryPrices", "sendFeedback"];

    /// <summary>What Google charged for a lead of this category, when the tenant told us its prices.</summary>
    public Money? PriceOf(string? categoryId) =>
        Currency is null ? null
        : categoryId is not null && CategoryPrices.TryGetValue(categoryId, out var price) ? Money.Of(price, Currency)
        : LeadPrice is { } standard ? Money.Of(standard, Currency) : null;

    public static GoogleLsaSettings Read(JsonElement settings)
    {
        var errors = new ValidationErrors();
        return Parse(settings, errors) ?? throw new Connections.ConnectorException(Connections.ConnectorFailure.InvalidRequest, "The connection's settings are not valid any more; save them again.");
    }

    /// <summary>Checks the settings, adding errors under <c>settings.x</c>; null when they are not valid.</summary>
    public static GoogleLsaSettings? Parse(JsonElement settings, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var mine = new ValidationErrors();
        var parsed = ParseInto(settings, mine);
        if (mine.IsEmpty)
        {
            return parsed;
        }

        ParseInto(settings, errors);
        return null;
    }

    private static GoogleLsaSettings ParseInto(JsonElement settings, ValidationErrors errors)
    {
        string? customer = null, login = null, source = null, currency = null;
        int lookback = DefaultLookbackDays, revisit = DefaultRevisitDays;
        decimal? price = null;
        var categories = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var feedback = true;
        foreach (var property in settings.ValueKind == JsonValueKind.Object ? settings.EnumerateObject() : default)
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "customerId":
                    customer = CustomerIdOf(value) ?? Error(errors, "settings.customerId", "must be the Google Ads customer id of the Local Services account: ten digits (dashes allowed).");
                    break;
                case "loginCustomerId" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "loginCustomerId":
                    login = CustomerIdOf(value) ?? Error(errors, "settings.loginCustomerId", "must be the manager account's customer id: ten digits (dashes allowed).");
                    break;
                case "lookbackDays":
                    lookback = IntIn(value, 1, 365) ?? Error(errors, "settings.lookbackDays", "must be a whole number of days from 1 to 365.", 0);
                    break;
                case "revisitDays":
                    revisit = IntIn(value, 0, 90) ?? Error(errors, "settings.revisitDays", "must be a whole number of days from 0 to 90.", 0);
                    break;
                case "leadSource":
                    source = value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 and <= 100 } text
                        ? text : Error(errors, "settings.leadSource", "must be text of 1 to 100 characters.");
                    break;
                case "sendFeedback":
                    feedback = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : Error(errors, "settings.sendFeedback", "must be true or false.", true);
                    break;
                case "leadPrice" when value.ValueKind == JsonValueKind.Object:
                    price = Amount(value.TryGetProperty("amount", out var amount) ? amount : default) ?? Error<decimal?>(errors, "settings.leadPrice.amount", "must be an amount of 0 or more with at most two decimals, such as \"35.00\".", null);
                    currency = value.TryGetProperty("currency", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() is { Length: 3 } c && c.All(char.IsAsciiLetterUpper)
                        ? c : Error(errors, "settings.leadPrice.currency", "must be a three-letter ISO 4217 code such as USD.");
                    break;
                case "leadPrice":
                    Error(errors, "settings.leadPrice", "must be an object: { \"amount\": \"35.00\", \"currency\": \"USD\" }.");
                    break;
                case "categoryPrices" when value.ValueKind == JsonValueKind.Object:
                    foreach (var category in value.EnumerateObject())
                    {
                        if (category.Name.Length is 0 or > 200 || Amount(category.Value) is not { } each)
                        {
                            errors.Add($"settings.categoryPrices.{category.Name}", "must be an amount of 0 or more for a category id such as xcat:service_area_business_hvac.");
                        }
                        else
                        {
                            categories[category.Name] = each;
                        }
                    }

                    break;
                case "categoryPrices":
                    Error(errors, "settings.categoryPrices", "must be an object of category id to amount.");
                    break;
                default:
                    errors.Add($"settings.{property.Name}", $"is not a Local Services setting ({string.Join(", ", Names)}).");
                    break;
            }
        }

        if (customer is null && !(settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("customerId", out _)))
        {
            errors.Add("settings.customerId", "is required: the Google Ads customer id of the Local Services account.");
        }

        if (categories.Count > 0 && currency is null && !(settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("leadPrice", out _)))
        {
            errors.Add("settings.leadPrice", "is required with categoryPrices: it gives their currency.");
        }

        return new GoogleLsaSettings(customer!, login, lookback, revisit, source ?? DefaultSource, price, currency, categories, feedback);
    }

    public JsonElement ToJson()
    {
        var json = new JsonObject { ["customerId"] = CustomerId, ["lookbackDays"] = LookbackDays, ["revisitDays"] = RevisitDays, ["leadSource"] = Source, ["sendFeedback"] = SendFeedback };
        if (LoginCustomerId is not null)
        {
            json["loginCustomerId"] = LoginCustomerId;
        }

        if (Currency is not null)
        {
            json["leadPrice"] = new JsonObject
            {
                ["amount"] = LeadPrice?.ToString("0.00", CultureInfo.InvariantCulture), ["currency"] = Currency,
            };
        }

        if (CategoryPrices.Count > 0)
        {
            json["categoryPrices"] = new JsonObject(CategoryPrices.Select(pair =>
                KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value.ToString("0.00", CultureInfo.InvariantCulture)))));
        }

        return JsonSerializer.SerializeToElement(json);
    }

    private static string? CustomerIdOf(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number when value.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        var digits = text?.Trim().Replace("-", "", StringComparison.Ordinal);
        return digits is { Length: 10 } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    private static int? IntIn(JsonElement value, int min, int max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max ? number : null;

    private static decimal? Amount(JsonElement value)
    {
        decimal? amount = value.ValueKind switch
        {
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
            _ => null,
        };
        return amount is >= 0 and < 1_000_000 && decimal.Round(amount.Value, 2) == amount ? amount : null;
    }

    private static string? Error(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return null;
    }

    private static T Error<T>(ValidationErrors errors, string field, string message, T fallback)
    {
        errors.Add(field, message);
        return fallback;
    }
}
