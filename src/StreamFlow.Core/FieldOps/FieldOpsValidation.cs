using System.Globalization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps;

/// <summary>Checks shared by the field features, each naming the field it refuses.</summary>
internal static class FieldOpsValidation
{
    public const int MaxTags = 50;

    public static void Location(ValidationErrors errors, string field, Location? location, bool required)
    {
        if (location is null)
        {
            if (required)
            {
                errors.Add(field, "is required: { latitude, longitude } in decimal degrees.");
            }

            return;
        }

        if (location.Latitude is not { } lat || lat is < -90 or > 90 || double.IsNaN(lat))
        {
            errors.Add($"{field}.latitude", "is required, from -90 to 90.");
        }

        if (location.Longitude is not { } lon || lon is < -180 or > 180 || double.IsNaN(lon))
        {
            errors.Add($"{field}.longitude", "is required, from -180 to 180.");
        }
    }

    /// <summary>Skill and certification names: trimmed, case kept, 1–100 characters, no duplicates.</summary>
    public static string[] Tags(ValidationErrors errors, string field, IReadOnlyList<string>? tags)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > MaxTags)
        {
            errors.Add(field, $"must have at most {MaxTags} entries.");
            return [];
        }

        var result = new List<string>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i]?.Trim();
            if (string.IsNullOrEmpty(tag) || tag.Length > 100)
            {
                errors.Add($"{field}[{i}]", "must be 1 to 100 characters.");
            }
            else if (!result.Contains(tag, StringComparer.Ordinal))
            {
                result.Add(tag);
            }
        }

        return [.. result];
    }

    public static int? Minute(ValidationErrors errors, string field, string? text)
    {
        if (text is "24:00")
        {
            return 1440;
        }

        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return (time.Hour * 60) + time.Minute;
        }

        errors.Add(field, "is required as HH:mm (24-hour, local time of the business).");
        return null;
    }

    public static string Clock(int minute) => minute == 1440 ? "24:00" : string.Create(CultureInfo.InvariantCulture, $"{minute / 60:00}:{minute % 60:00}");

    public static decimal? Amount(ValidationErrors errors, string field, Money? money)
    {
        if (money is null)
        {
            errors.Add(field, "is required: { amount, currency }.");
            return null;
        }

        if (money.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            errors.Add($"{field}.currency", "must be an ISO-4217 code such as USD.");
        }

        if (!decimal.TryParse(money.Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000_000m
            || decimal.Round(amount, 2) != amount)
        {
            errors.Add($"{field}.amount", "must be a non-negative decimal string with at most two decimals, such as \"42.50\".");
            return null;
        }

        return amount;
    }
}
