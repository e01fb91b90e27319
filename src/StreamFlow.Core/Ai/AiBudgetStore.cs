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

    // The conditional upserts are the whole trick: the row lock serialises concurrent reservations, and PostgreSQL
    // re-checks the WHERE against the latest row version, so no two calls can both take the last of a budget.
    private const string ReserveProviderSql = """
        INSERT INTO ai_provider_spend AS s (period_start, reserved_usd)
        SELECT @Month, @Amount WHERE @Amount <= @Cap
        ON CONFLICT (period_start) DO UPDATE SET reserved_usd = s.reserved_usd + EXCLUDED.reserved_usd
        WHERE s.spent_usd + s.reserved_usd + EXCLUDED.reserved_usd <= @Cap
        RETURNING 1
        """;

    private const string ReserveTenantSql = """
        INSERT INTO ai_tenant_spend AS s (tenant_id, period_kind, period_start, reserved_usd)
        SELECT @TenantId, p.kind, p.start, @Amount
        FROM (VALUES ('day', @Day, @DayLimit::numeric), ('month', @Month, @MonthLimit::numeric)) AS p (kind, start, limit_usd)
        WHERE p.limit_usd IS NULL OR @Amount <= p.limit_usd
        ORDER BY p.kind
        ON CONFLICT (tenant_id, period_kind, period_start) DO UPDATE SET reserved_usd = s.reserved_usd + EXCLUDED.reserved_usd
        WHERE (CASE s.period_kind WHEN 'day' THEN @DayLimit::numeric ELSE @MonthLimit::numeric END) IS NULL
           OR s.spent_usd + s.reserved_usd + EXCLUDED.reserved_usd
              <= (CASE s.period_kind WHEN 'day' THEN @DayLimit::numeric ELSE @MonthLimit::numeric END)
        RETURNING s.period_kind
        """;

    private const string InsertReservationSql = """
        INSERT INTO ai_reservations (id, tenant_id, amount_usd, day_start, month_start, created_at, expires_at)
        VALUES (@Id, @TenantId, @Amount, @Day, @Month, @Now, @ExpiresAt)
        """;

    private const string ReserveSavepoint = "ai_reserve";

    // One round trip: the statements run in order in the caller's transaction; a refusal rolls back to the savepoint.
    private const string ReserveSql =
        "SAVEPOINT " + ReserveSavepoint + ";\n" + ReserveProviderSql + ";\n" + ReserveTenantSql + ";\n" + InsertReservationSql;

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

    // Settlement and its ledger row commit together, sent as one round trip.
    private const string SettleSql =
        LockReservationSql + ";\n" + SettleProviderSql + ";\n" + SettleTenantSql + ";\n" + DeleteReservationSql + ";\n" + AiUsageStore.InsertSql;

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

    /// <summary>Reserves against all three limits or none; returns the limit that refused, or null when reserved.</summary>
    public static async Task<AiBudgetScope?> TryReserveAsync(DbTransactionScope scope, AiReservation reservation, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        var parameters = new
        {
            reservation.TenantId,
            reservation.Id,
            Amount = reservation.AmountUsd,
            reservation.Periods.Day,
            reservation.Periods.Month,
            Cap = reservation.Limits.ProviderMonthlyCapUsd,
            DayLimit = reservation.Limits.TenantDailyLimitUsd,
            MonthLimit = reservation.Limits.TenantMonthlyLimitUsd,
            Now = now,
            ExpiresAt = expiresAt,
        };

        AiBudgetScope? refused;
        using (var results = await scope.Connection.QueryMultipleAsync(scope.Command(ReserveSql, parameters)))
        {
            var provider = (await results.ReadAsync<int>()).Any();
            var tenant = (await results.ReadAsync<string>()).ToList();
            refused = !provider ? AiBudgetScope.ProviderMonth
                : !tenant.Contains("day") ? AiBudgetScope.TenantDay
                : !tenant.Contains("month") ? AiBudgetScope.TenantMonth
                : null;
        }

        if (refused is not null)
        {
            await scope.Transaction.RollbackAsync(ReserveSavepoint, scope.CancellationToken);
        }

        return refused;
    }

    /// <summary>
    /// Gives the reservation back, books <paramref name="spentUsd"/> (0 when the call failed) and writes the call's
    /// ledger row, atomically. A reservation that already expired gives nothing back a second time. Returns the
    /// warnings this settlement raised.
    /// </summary>
    public static async Task<IReadOnlyList<AiBudgetAlert>> SettleAsync(
        DbTransactionScope scope, AiReservation reservation, decimal spentUsd, decimal warningRatio, AiUsageEntry ledgerEntry)
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

        var alerts = new List<AiBudgetAlert>();
        using var results = await scope.Connection.QueryMultipleAsync(scope.Command(SettleSql, parameters));
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
}
