using System.Globalization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Settings;

/// <summary>The rules a settings change must meet; every broken rule is named by its field.</summary>
internal static class TenantSettingsValidation
{
    public const int MaxHolidays = 400;

    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    // The currencies of every region .NET knows: ISO 4217 codes in use today (ICU's data).
    private static readonly Lazy<HashSet<string>> Currencies = new(() =>
        [.. CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
            .OfType<string>().Where(code => code.Length == 3)]);

    public static void Validate(TenantSettingsChange change, ValidationErrors errors)
    {
        if (change.TimeZone is not null && !IsIanaZone(change.TimeZone))
        {
            errors.Add("timeZone", "must be an IANA time zone such as America/Chicago.");
        }

        if (change.Currency is not null && !IsCurrency(change.Currency))
        {
            errors.Add("currency", "must be an ISO 4217 currency code such as USD.");
        }

        if (change.Locale is not null && !IsLocale(change.Locale))
        {
            errors.Add("locale", "must be a known locale (BCP 47) such as en-US.");
        }

        if (change.BusinessHours is { } hours)
        {
            ValidateWeek(hours, errors);
        }

        if (change.Holidays is { } holidays)
        {
            ValidateHolidays(holidays, errors);
        }

        if (change.Reports is { } reports)
        {
            if (reports.Currency is not null && !IsCurrency(reports.Currency))
            {
                errors.Add("reports.currency", "must be an ISO 4217 currency code such as USD, or null for the business's currency.");
            }

            if (reports.SendAt is not null && !BusinessCalendar.TryParse(reports.SendAt, out _))
            {
                errors.Add("reports.sendAt", "must be a local time HH:mm, or null for the default.");
            }

            if (reports.WeeklyOn is not null && !Weekdays.Contains(reports.WeeklyOn))
            {
                errors.Add("reports.weeklyOn", "must be a weekday in lower case (monday … sunday), or null for the default.");
            }
        }
    }

    public static bool IsIanaZone(string id)
    {
        try
        {
            return id.Length <= 64 && TimeZoneInfo.FindSystemTimeZoneById(id).HasIanaId;
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    public static bool IsCurrency(string code) => code.Length == 3 && Currencies.Value.Contains(code);

    private static bool IsLocale(string name)
    {
        try
        {
            return name.Length <= 35 && !string.IsNullOrEmpty(CultureInfo.GetCultureInfo(name, predefinedOnly: true).Name);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static void ValidateWeek(WeeklyHours hours, ValidationErrors errors)
    {
        var anyOpen = false;
        for (var i = 0; i < Weekdays.Length; i++)
        {
            if (hours.For((DayOfWeek)((i + 1) % 7)) is not { } day)
            {
                continue;
            }

            anyOpen = true;
            var field = $"businessHours.{Weekdays[i]}";
            var open = BusinessCalendar.TryParse(day.Open, out var from);
            var close = BusinessCalendar.TryParseClose(day.Close, out var to, out var midnight);
            if (!open)
            {
                errors.Add($"{field}.open", "must be a local time HH:mm.");
            }

            if (!close)
            {
                errors.Add($"{field}.close", "must be a local time HH:mm, or 24:00 for midnight.");
            }

            // A closing before the opening is the next day's (18:00-02:00); 24:00 is midnight (00:00-24:00 around the clock).
            if (open && close && !midnight && to == from)
            {
                errors.Add($"{field}.close", "must differ from open: a time before open closes the next day, 24:00 at midnight (00:00-24:00 is open around the clock).");
            }
        }

        if (!anyOpen)
        {
            errors.Add("businessHours", "must open on at least one weekday.");
        }
    }

    private static void ValidateHolidays(IReadOnlyList<Holiday> holidays, ValidationErrors errors)
    {
        if (holidays.Count > MaxHolidays)
        {
            errors.Add("holidays", $"must list at most {MaxHolidays} days.");
            return;
        }

        for (var i = 0; i < holidays.Count; i++)
        {
            if (holidays[i] is null)
            {
                errors.Add($"holidays[{i}]", "must be an object with date and name.");
                continue;
            }

            if (!SupportedDates.Contains(holidays[i].Date))
            {
                errors.Add($"holidays[{i}].date", SupportedDates.Message);
            }

            errors.Required($"holidays[{i}].name", holidays[i].Name, 100);
        }
    }
}
