namespace StreamFlow.Core.Reports;

/// <summary>Report settings (section <c>Reports</c>); a tenant's <c>tenant_settings.settings.reports</c> overrides the per-tenant ones.</summary>
public sealed class ReportsOptions
{
    public const string Section = "Reports";

    /// <summary>Local time, in the tenant's time zone, at which a period's report becomes due.</summary>
    public TimeOnly SendAt { get; set; } = new(7, 0);

    /// <summary>The weekday on which last week's report becomes due.</summary>
    public DayOfWeek WeeklyOn { get; set; } = DayOfWeek.Monday;

    /// <summary>The currency of revenue and pipeline value when neither the tenant's settings nor its won leads name one.</summary>
    public string DefaultCurrency { get; set; } = "USD";

    public bool DefaultDaily { get; set; } = true;

    public bool DefaultWeekly { get; set; } = true;

    public bool DefaultMonthly { get; set; }

    /// <summary>How many stale hot leads the report names (it counts all of them).</summary>
    public int StaleHotLeadsListed { get; set; } = 10;

    public TimeSpan StaleHotAfter { get; set; } = TimeSpan.FromHours(48);

    /// <summary>A scheduled delivery still "sending" after this long is taken to have crashed and is claimed again.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A scheduled delivery that failed is tried again on later timer runs, up to this many attempts in all.</summary>
    public int MaxAttempts { get; set; } = 3;
}
