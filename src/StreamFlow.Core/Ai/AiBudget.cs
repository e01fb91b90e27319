namespace StreamFlow.Core.Ai;

/// <summary>The limits the provider set for one tenant; null means the configured default.</summary>
public sealed record AiTenantBudget(decimal? DailyLimitUsd, decimal? MonthlyLimitUsd);

/// <summary>Spend in one budget period (a UTC day or a UTC month).</summary>
public sealed record AiPeriodSpend(DateOnly PeriodStart, decimal? LimitUsd, decimal SpentUsd, decimal ReservedUsd, DateTimeOffset? WarnedAt);

/// <summary>A tenant's AI budget and settings as the gateway applies them, with today's and this month's spend.</summary>
public sealed record AiTenantBudgetStatus(
    Guid TenantId,
    decimal? DailyLimitUsd,
    bool DailyLimitIsDefault,
    decimal? MonthlyLimitUsd,
    bool MonthlyLimitIsDefault,
    decimal MarkupRate,
    bool AllowPersonalData,
    AiPeriodSpend Today,
    AiPeriodSpend ThisMonth);

/// <summary>The provider-wide cap and this month's spend across all tenants.</summary>
public sealed record AiProviderBudgetStatus(decimal MonthlyCapUsd, AiPeriodSpend ThisMonth);

public enum AiBudgetScope
{
    ProviderMonth,
    TenantDay,
    TenantMonth,
}

/// <summary>A limit reached its warning share (80 % by default) for the first time in its period.</summary>
/// <param name="TenantId">Null for the provider-wide cap.</param>
public sealed record AiBudgetAlert(
    AiBudgetScope Scope,
    Guid? TenantId,
    DateOnly PeriodStart,
    decimal LimitUsd,
    decimal SpentUsd,
    decimal WarningRatio,
    DateTimeOffset RaisedAt);

/// <summary>The UTC day and month a call is counted in.</summary>
internal readonly record struct AiBudgetPeriods(DateOnly Day, DateOnly Month)
{
    public static AiBudgetPeriods At(DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        return new AiBudgetPeriods(day, new DateOnly(day.Year, day.Month, 1));
    }

    public DateTimeOffset EndOf(AiBudgetScope scope) => scope == AiBudgetScope.TenantDay
        ? new DateTimeOffset(Day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : new DateTimeOffset(Month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>The limits in force for one call: the provider cap and the tenant's effective limits.</summary>
internal sealed record AiEffectiveLimits(decimal ProviderMonthlyCapUsd, decimal? TenantDailyLimitUsd, decimal? TenantMonthlyLimitUsd);

/// <summary>A tenant's AI settings row (or the defaults when it has none).</summary>
internal sealed record AiTenantSettings(decimal? DailyLimitUsd, decimal? MonthlyLimitUsd, decimal MarkupRate, bool AllowPersonalData)
{
    public static AiTenantSettings None { get; } = new(null, null, 0m, false);

    public AiEffectiveLimits Limits(AiBudgetOptions options) => new(
        options.ProviderMonthlyCapUsd,
        DailyLimitUsd ?? options.DefaultTenantDailyLimitUsd,
        MonthlyLimitUsd ?? options.DefaultTenantMonthlyLimitUsd);
}

/// <summary>Budget held for one call in flight, against the periods it was made in.</summary>
internal sealed record AiReservation(Guid Id, Guid TenantId, decimal AmountUsd, AiBudgetPeriods Periods, AiEffectiveLimits Limits);
