using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

/// <summary>
/// The SQL of AI budgets: tenant settings, spend counters and reservations. Every statement runs in the caller's
/// tenant transaction. Counter rows are always locked in one order — provider month, then the tenant's day, then
/// its month — by reservations, reconciliations and the expiry function alike, so they never deadlock.
/// </summary>
internal static class AiBudgetStore
{
    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)";

    private const string SettingsSql = """
        SELECT daily_limit_usd AS DailyLimitUsd, monthly_limit_usd AS MonthlyLimitUsd,
               markup_rate AS MarkupRate, allow_personal_data AS AllowPersonalData
        FROM ai_tenant_settings
        WHERE tenant_id = @TenantId
        """;

    private const string UpsertBudgetSql = """
        INSERT INTO ai_tenant_settings (tenant_id, daily_limit_usd, monthly_limit_usd, updated_at)
        VALUES (@TenantId, @DailyLimitUsd, @MonthlyLimitUsd, @Now)
        ON CONFLICT (tenant_id) DO UPDATE
        SET daily_limit_usd = EXCLUDED.daily_limit_usd, monthly_limit_usd = EXCLUDED.monthly_limit_usd, updated_at = EXCLUDED.updated_at
        """;

    private const string UpsertMarkupSql = """
        INSERT INTO ai_tenant_settings (tenant_id, markup_rate, updated_at)
        VALUES (@TenantId, @MarkupRate, @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET markup_rate = EXCLUDED.markup_rate, updated_at = EXCLUDED.updated_at
        """;

    private const string UpsertPersonalDataSql = """
        INSERT INTO ai_tenant_settings (tenant_id, allow_personal_data, updated_at)
        VALUES (@TenantId, @AllowPersonalData, @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET allow_personal_data = EXCLUDED.allow_personal_data, updated_at = EXCLUDED.updated_at
        """;

    // Counter rows of a new period are created first, empty, so the reservation below always finds all three.
    // ON CONFLICT DO NOTHING neither writes nor locks when the row is there already (the usual case).
    private const string EnsureCountersSql = """
        INSERT INTO ai_provider_spend (period_start) VALUES (@Month) ON CONFLICT DO NOTHING;
        INSERT INTO ai_tenant_spend (tenant_id, period_kind, period_start)
        VALUES (@TenantId, 'day', @Day), (@TenantId, 'month', @Month)
        ON CONFLICT DO NOTHING
        """;

    // All or nothing in one statement. It reads the tenant's settings itself, so that admission is one round trip:
    // the caller sends the maximum cost of the prompt as written and as redacted, and the settings pick one. The two
    // locking reads take the counter rows in the one order (provider month, then the tenant's day and month) and,
    // being FOR UPDATE, see their latest committed values; the verdict is computed once from them; the writes happen
    // only when all three limits hold. A concurrent reservation waits for the row locks and then judges against what
    // this one added, so no two calls can both take the last of a budget. Returns the settings and NULL when
    // reserved, else the limit that refused.
    private const string ReserveAllOrNothingSql = """
        WITH settings AS (
            SELECT s.daily_limit_usd, s.monthly_limit_usd, coalesce(s.markup_rate, 0) AS markup_rate,
                   coalesce(s.allow_personal_data, false) AS allow_personal_data
            FROM (VALUES (1)) AS one (x) LEFT JOIN ai_tenant_settings s ON s.tenant_id = @TenantId),
        call AS (
            SELECT CASE WHEN allow_personal_data THEN @AmountAsWritten ELSE @AmountRedacted END AS amount,
                   coalesce(daily_limit_usd, @DefaultDayLimit::numeric) AS day_limit,
                   coalesce(monthly_limit_usd, @DefaultMonthLimit::numeric) AS month_limit
            FROM settings),
        provider AS (
            SELECT p.spent_usd + p.reserved_usd + c.amount <= @Cap AS fits
            FROM ai_provider_spend p CROSS JOIN call c
            WHERE p.period_start = @Month
            FOR UPDATE OF p),
        tenant AS (
            SELECT s.period_kind,
                   (l.limit_usd IS NULL OR s.spent_usd + s.reserved_usd + c.amount <= l.limit_usd) AS fits
            FROM ai_tenant_spend s
            CROSS JOIN call c
            JOIN LATERAL (VALUES ('day', @Day::date, c.day_limit), ('month', @Month::date, c.month_limit)) AS l (kind, start, limit_usd)
              ON s.period_kind = l.kind AND s.period_start = l.start
            WHERE s.tenant_id = @TenantId
            ORDER BY s.period_kind
            FOR UPDATE OF s),
        verdict AS (
            SELECT CASE WHEN NOT coalesce((SELECT fits FROM provider), false) THEN 'provider'
                        WHEN NOT coalesce((SELECT fits FROM tenant WHERE period_kind = 'day'), false) THEN 'day'
                        WHEN NOT coalesce((SELECT fits FROM tenant WHERE period_kind = 'month'), false) THEN 'month'
                   END AS refused),
        reserved_provider AS (
            UPDATE ai_provider_spend SET reserved_usd = reserved_usd + (SELECT amount FROM call)
            WHERE period_start = @Month AND (SELECT refused FROM verdict) IS NULL
            RETURNING 1),
        reserved_tenant AS (
            UPDATE ai_tenant_spend SET reserved_usd = reserved_usd + (SELECT amount FROM call)
            WHERE tenant_id = @TenantId
              AND ((period_kind = 'day' AND period_start = @Day) OR (period_kind = 'month' AND period_start = @Month))
              AND (SELECT refused FROM verdict) IS NULL
            RETURNING 1),
        reservation AS (
            INSERT INTO ai_reservations (id, tenant_id, amount_usd, day_start, month_start, created_at, expires_at)
            SELECT @Id, @TenantId, c.amount, @Day, @Month, @Now, @ExpiresAt FROM verdict v CROSS JOIN call c WHERE v.refused IS NULL
            RETURNING 1)
        SELECT v.refused AS Refused, st.daily_limit_usd AS DailyLimitUsd, st.monthly_limit_usd AS MonthlyLimitUsd,
               st.markup_rate AS MarkupRate, st.allow_personal_data AS AllowPersonalData
        FROM verdict v CROSS JOIN settings st
        """;

    private const string ReserveSql = EnsureCountersSql + ";\n" + ReserveAllOrNothingSql;

    // Locks the reservation row first (the expiry function takes reservation rows before counters, too).
    private const string LockReservationSql = "SELECT 1 FROM ai_reservations WHERE id = @Id FOR UPDATE";

    private const string DeleteReservationSql = "DELETE FROM ai_reservations WHERE id = @Id";

    // The FOR UPDATE sub-select locks the row first and hands over its previous warned_at, so exactly one call
    // per period sees the warning raised. The reservation gives back what it still holds: nothing when the expiry
    // function already released it.
    private const string SettleProviderSql = """
        UPDATE ai_provider_spend s
        SET reserved_usd = greatest(s.reserved_usd - (SELECT coalesce(sum(amount_usd), 0) FROM ai_reservations WHERE id = @Id), 0),
            spent_usd = s.spent_usd + @Spent,
            warned_at = CASE WHEN s.warned_at IS NULL AND s.spent_usd + @Spent > 0 AND s.spent_usd + @Spent >= @Cap * @WarningRatio
                             THEN @Now ELSE s.warned_at END
        FROM (SELECT period_start, warned_at FROM ai_provider_spend WHERE period_start = @Month FOR UPDATE) previous
        WHERE s.period_start = previous.period_start
        RETURNING s.spent_usd AS SpentUsd, (previous.warned_at IS NULL AND s.warned_at IS NOT NULL) AS WarningRaised
        """;

    private const string SettleTenantSql = """
        UPDATE ai_tenant_spend s
        SET reserved_usd = greatest(s.reserved_usd - (SELECT coalesce(sum(amount_usd), 0) FROM ai_reservations WHERE id = @Id), 0),
            spent_usd = s.spent_usd + @Spent,
            warned_at = CASE WHEN s.warned_at IS NULL AND l.limit_usd IS NOT NULL AND s.spent_usd + @Spent > 0
                                  AND s.spent_usd + @Spent >= l.limit_usd * @WarningRatio
                             THEN @Now ELSE s.warned_at END
        FROM (SELECT tenant_id, period_kind, period_start, warned_at
              FROM ai_tenant_spend
              WHERE tenant_id = @TenantId
                AND ((period_kind = 'day' AND period_start = @Day) OR (period_kind = 'month' AND period_start = @Month))
              ORDER BY period_kind
              FOR UPDATE) previous,
             (VALUES ('day', @DayLimit::numeric), ('month', @MonthLimit::numeric)) AS l (period_kind, limit_usd)
        WHERE s.tenant_id = previous.tenant_id AND s.period_kind = previous.period_kind AND s.period_start = previous.period_start
          AND l.period_kind = s.period_kind
        RETURNING s.period_kind AS PeriodKind, s.spent_usd AS SpentUsd, l.limit_usd AS LimitUsd,
                  (previous.warned_at IS NULL AND s.warned_at IS NOT NULL) AS WarningRaised
        """;

    // Settlement and its ledger row (and the answer for the cache, when there is one) commit together, sent as one
    // round trip.
    private const string SettleSql =
        LockReservationSql + ";\n" + SettleProviderSql + ";\n" + SettleTenantSql + ";\n" + DeleteReservationSql + ";\n" + AiUsageStore.InsertSql;

    private const string SettleAndCacheSql = SettleSql + ";\n" + AiResponseCacheStore.StoreSql;

    private const string ReleaseExpiredSql = "SELECT ai_release_expired_reservations(@Now, @MaxRows)";

    private const string TenantSpendSql = """
        SELECT period_kind AS PeriodKind, spent_usd AS SpentUsd, reserved_usd AS ReservedUsd, warned_at AS WarnedAt
        FROM ai_tenant_spend
        WHERE tenant_id = @TenantId
          AND ((period_kind = 'day' AND period_start = @Day) OR (period_kind = 'month' AND period_start = @Month))
        """;

    private const string ProviderSpendSql = """
        SELECT spent_usd AS SpentUsd, reserved_usd AS ReservedUsd, warned_at AS WarnedAt
        FROM ai_provider_spend
        WHERE period_start = @Month
        """;

    public static async Task<AiTenantSettings> SettingsAsync(DbTransactionScope scope, Guid tenantId) =>
        await scope.Connection.QuerySingleOrDefaultAsync<AiTenantSettings>(scope.Command(SettingsSql, new { TenantId = tenantId }))
        ?? AiTenantSettings.None;

    public static Task UpsertBudgetAsync(DbTransactionScope scope, Guid tenantId, AiTenantBudget budget, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertBudgetSql, new { TenantId = tenantId, budget.DailyLimitUsd, budget.MonthlyLimitUsd, Now = now }));

    public static Task UpsertMarkupAsync(DbTransactionScope scope, Guid tenantId, decimal markupRate, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertMarkupSql, new { TenantId = tenantId, MarkupRate = markupRate, Now = now }));

    public static Task UpsertPersonalDataAsync(DbTransactionScope scope, Guid tenantId, bool allowPersonalData, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertPersonalDataSql, new { TenantId = tenantId, AllowPersonalData = allowPersonalData, Now = now }));

    /// <summary>
    /// Reads the tenant's settings and reserves the call's maximum cost (as written when the tenant allows personal
    /// data in prompts, else as redacted) against all three limits or none, in one round trip that commits durably
    /// before it returns. Returns the settings and the limit that refused, or null when reserved.
    /// </summary>
    public static Task<(AiTenantSettings Settings, AiBudgetScope? Refused)> TryReserveAsync(
        StreamFlowDatabase database,
        Guid reservationId,
        Guid tenantId,
        AiBudgetPeriods periods,
        (decimal AsWritten, decimal Redacted) maximumCost,
        AiBudgetOptions budget,
        DateTimeOffset now,
        DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new
        {
            TenantId = tenantId,
            Id = reservationId,
            AmountAsWritten = maximumCost.AsWritten,
            AmountRedacted = maximumCost.Redacted,
            periods.Day,
            periods.Month,
            Cap = budget.ProviderMonthlyCapUsd,
            DefaultDayLimit = budget.DefaultTenantDailyLimitUsd,
            DefaultMonthLimit = budget.DefaultTenantMonthlyLimitUsd,
            Now = now,
            ExpiresAt = expiresAt,
        });

        return database.InTenantBatchAsync(tenantId, ReserveSql, parameters, async results =>
        {
            var row = await results.ReadSingleAsync<ReservationRow>();
            var refused = row.Refused switch
            {
                null => (AiBudgetScope?)null,
                "provider" => AiBudgetScope.ProviderMonth,
                "day" => AiBudgetScope.TenantDay,
                _ => AiBudgetScope.TenantMonth,
            };
            return (new AiTenantSettings(row.DailyLimitUsd, row.MonthlyLimitUsd, row.MarkupRate, row.AllowPersonalData), refused);
        }, cancellationToken);
    }

    /// <summary>
    /// Gives the reservation back, books <paramref name="spentUsd"/> (0 when the call failed) and writes the call's
    /// ledger row — and stores <paramref name="cacheEntry"/> when given — atomically, in one round trip that commits
    /// durably. A reservation that already expired gives nothing back a second time. Returns the warnings this
    /// settlement raised.
    /// </summary>
    public static Task<IReadOnlyList<AiBudgetAlert>> SettleAsync(
        StreamFlowDatabase database,
        AiReservation reservation,
        decimal spentUsd,
        decimal warningRatio,
        AiUsageEntry ledgerEntry,
        (AiCachedResponse Response, DateTimeOffset ExpiresAt)? cacheEntry,
        CancellationToken cancellationToken)
    {
        var now = ledgerEntry.OccurredAt;
        var parameters = new DynamicParameters(new
        {
            reservation.Id,
            reservation.TenantId,
            Spent = spentUsd,
            reservation.Periods.Day,
            reservation.Periods.Month,
            Cap = reservation.Limits.ProviderMonthlyCapUsd,
            DayLimit = reservation.Limits.TenantDailyLimitUsd,
            MonthLimit = reservation.Limits.TenantMonthlyLimitUsd,
            WarningRatio = warningRatio,
            Now = now,
        });
        parameters.AddDynamicParams(AiUsageStore.Parameters(ledgerEntry, "Usage"));
        if (cacheEntry is { } cache)
        {
            parameters.AddDynamicParams(AiResponseCacheStore.StoreParameters(reservation.TenantId, cache.Response, now, cache.ExpiresAt));
        }

        return database.InTenantBatchAsync(reservation.TenantId, cacheEntry is null ? SettleSql : SettleAndCacheSql, parameters,
            results => ReadSettlementAsync(results, reservation, warningRatio, now), cancellationToken);
    }

    private static async Task<IReadOnlyList<AiBudgetAlert>> ReadSettlementAsync(
        SqlMapper.GridReader results, AiReservation reservation, decimal warningRatio, DateTimeOffset now)
    {
        var alerts = new List<AiBudgetAlert>();
        await results.ReadAsync<int>();
        var provider = await results.ReadSingleAsync<(decimal SpentUsd, bool WarningRaised)>();
        if (provider.WarningRaised)
        {
            alerts.Add(new AiBudgetAlert(AiBudgetScope.ProviderMonth, null, reservation.Periods.Month,
                reservation.Limits.ProviderMonthlyCapUsd, provider.SpentUsd, warningRatio, now));
        }

        var tenantRows = await results.ReadAsync<(string PeriodKind, decimal SpentUsd, decimal? LimitUsd, bool WarningRaised)>();
        foreach (var row in tenantRows.Where(row => row.WarningRaised))
        {
            var isDay = row.PeriodKind == "day";
            alerts.Add(new AiBudgetAlert(
                isDay ? AiBudgetScope.TenantDay : AiBudgetScope.TenantMonth,
                reservation.TenantId,
                isDay ? reservation.Periods.Day : reservation.Periods.Month,
                row.LimitUsd ?? 0m,
                row.SpentUsd,
                warningRatio,
                now));
        }

        return alerts;
    }

    public static Task<int> ReleaseExpiredAsync(DbTransactionScope scope, DateTimeOffset now, int maxRows) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(ReleaseExpiredSql, new { Now = now, MaxRows = maxRows }));

    public static async Task<(AiPeriodSpend Today, AiPeriodSpend ThisMonth)> TenantSpendAsync(
        DbTransactionScope scope, Guid tenantId, AiBudgetPeriods periods, AiEffectiveLimits limits)
    {
        var rows = (await scope.Connection.QueryAsync<(string PeriodKind, decimal SpentUsd, decimal ReservedUsd, DateTime? WarnedAt)>(
            scope.Command(TenantSpendSql, new { TenantId = tenantId, periods.Day, periods.Month }))).ToList();
        var day = rows.FirstOrDefault(row => row.PeriodKind == "day");
        var month = rows.FirstOrDefault(row => row.PeriodKind == "month");
        return (
            new AiPeriodSpend(periods.Day, limits.TenantDailyLimitUsd, day.SpentUsd, day.ReservedUsd, AsUtc(day.WarnedAt)),
            new AiPeriodSpend(periods.Month, limits.TenantMonthlyLimitUsd, month.SpentUsd, month.ReservedUsd, AsUtc(month.WarnedAt)));
    }

    public static async Task<AiPeriodSpend> ProviderSpendAsync(DbTransactionScope scope, DateOnly month, decimal cap)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<(decimal SpentUsd, decimal ReservedUsd, DateTime? WarnedAt)>(
            scope.Command(ProviderSpendSql, new { Month = month }));
        return new AiPeriodSpend(month, cap, row.SpentUsd, row.ReservedUsd, AsUtc(row.WarnedAt));
    }

    private static DateTimeOffset? AsUtc(DateTime? value) =>
        value is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;

    private sealed record ReservationRow(string? Refused, decimal? DailyLimitUsd, decimal? MonthlyLimitUsd, decimal MarkupRate, bool AllowPersonalData);

    public static Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(TenantExistsSql, new { TenantId = tenantId }));
}
