namespace StreamFlow.Core.Settings;

/// <summary>Opening hours of one weekday, local to the business ("08:00" to "17:00"); close is after open, same day.</summary>
public sealed record DayHours(string Open, string Close);

/// <summary>The business's week; a null day is closed.</summary>
public sealed record WeeklyHours(
    DayHours? Monday, DayHours? Tuesday, DayHours? Wednesday, DayHours? Thursday, DayHours? Friday, DayHours? Saturday, DayHours? Sunday)
{
    public static WeeklyHours Default { get; } = new(
        new("08:00", "17:00"), new("08:00", "17:00"), new("08:00", "17:00"), new("08:00", "17:00"), new("08:00", "17:00"), null, null);

    public DayHours? For(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => Monday,
        DayOfWeek.Tuesday => Tuesday,
        DayOfWeek.Wednesday => Wednesday,
        DayOfWeek.Thursday => Thursday,
        DayOfWeek.Friday => Friday,
        DayOfWeek.Saturday => Saturday,
        _ => Sunday,
    };
}

/// <summary>A day the business is closed whatever its weekly hours say.</summary>
public sealed record Holiday(DateOnly Date, string Name);

/// <summary>
/// When scheduled reports go out and in which currency they count revenue; null means the platform default
/// (docs/tenant-settings.md).
/// </summary>
public sealed record ReportPreferences(string? Currency, string? SendAt, string? WeeklyOn)
{
    public static ReportPreferences Default { get; } = new(null, null, null);
}

/// <summary>A business's own settings: what its local time, money and working hours are.</summary>
public sealed record TenantSettings(
    string TimeZone, string Currency, string Locale, WeeklyHours BusinessHours, IReadOnlyList<Holiday> Holidays, ReportPreferences Reports,
    DateTimeOffset UpdatedAt)
{
    public BusinessCalendar Calendar() => new(TimeZoneInfo.FindSystemTimeZoneById(TimeZone), BusinessHours, Holidays);
}

/// <summary>A change to the settings: each member given replaces the stored one (businessHours the whole week); null leaves it.</summary>
public sealed record TenantSettingsChange(
    string? TimeZone, string? Currency, string? Locale, WeeklyHours? BusinessHours, IReadOnlyList<Holiday>? Holidays, ReportPreferences? Reports);
