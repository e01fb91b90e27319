using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps;

internal sealed record StoredFieldSettings(
    string? TimeZone, double? DailyOvertimeHours, double? WeeklyOvertimeHours, int? GeofenceRadiusMetres, double? AverageSpeedKmh, int? OverdueReminderDays, bool Saved);

/// <summary>The SQL of the tenant's field settings (and its time zone, which field days are local to).</summary>
internal static class FieldOpsSettingsStore
{
    // RLS leaves at most the tenant's own row in each table.
    private const string ReadSql = """
        SELECT (SELECT time_zone FROM tenant_settings LIMIT 1) AS TimeZone,
               f.daily_overtime_hours::float8 AS DailyOvertimeHours, f.weekly_overtime_hours::float8 AS WeeklyOvertimeHours,
               f.geofence_radius_metres AS GeofenceRadiusMetres, f.average_speed_kmh::float8 AS AverageSpeedKmh,
               f.overdue_reminder_days AS OverdueReminderDays, f.tenant_id IS NOT NULL AS Saved
        FROM (SELECT 1) AS one LEFT JOIN fieldops_settings f ON true
        """;

    private const string UpsertSql = """
        INSERT INTO fieldops_settings (tenant_id, daily_overtime_hours, weekly_overtime_hours, geofence_radius_metres, average_speed_kmh,
            overdue_reminder_days, updated_at)
        VALUES (@TenantId, @Daily, @Weekly, @Radius, @Speed, @ReminderDays, @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET daily_overtime_hours = excluded.daily_overtime_hours,
            weekly_overtime_hours = excluded.weekly_overtime_hours, geofence_radius_metres = excluded.geofence_radius_metres,
            average_speed_kmh = excluded.average_speed_kmh, overdue_reminder_days = excluded.overdue_reminder_days, updated_at = excluded.updated_at
        """;

    public static async Task<(FieldOpsSettings Settings, TimeZoneInfo TimeZone)> ReadAsync(DbTransactionScope scope)
    {
        var row = await scope.Connection.QuerySingleAsync<StoredFieldSettings>(scope.Command(ReadSql));
        var settings = row.Saved
            ? new FieldOpsSettings(row.DailyOvertimeHours, row.WeeklyOvertimeHours, row.GeofenceRadiusMetres!.Value, row.AverageSpeedKmh!.Value, row.OverdueReminderDays!.Value)
            : FieldOpsSettings.Default;
        return (settings, TimeZones.Find(row.TimeZone));
    }

    public static Task UpsertAsync(DbTransactionScope scope, Guid tenantId, FieldOpsSettings settings, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new
        {
            TenantId = tenantId, Daily = (decimal?)settings.DailyOvertimeHours, Weekly = (decimal?)settings.WeeklyOvertimeHours,
            Radius = settings.GeofenceRadiusMetres, Speed = (decimal)settings.AverageSpeedKmh,
            ReminderDays = settings.OverdueReminderDays, Now = now,
        }));
}

/// <summary>Field days are local to the business: a visit "on 5 December" is in the business's own time zone.</summary>
internal static class TimeZones
{
    public static TimeZoneInfo Find(string? id)
    {
        try
        {
            return id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public static DateTimeOffset StartOf(DateOnly date, TimeZoneInfo zone) => At(date, TimeSpan.Zero, zone);

    public static DateTimeOffset At(DateOnly date, TimeSpan timeOfDay, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue).Add(timeOfDay);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateTimeOffset Local(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);
}

/// <summary>Reads and changes the tenant's field settings.</summary>
public sealed class FieldOpsSettingsService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    public Task<FieldOpsSettings> GetAsync(FieldActor actor, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope => (await FieldOpsSettingsStore.ReadAsync(scope)).Settings, cancellationToken);

    public async Task<Result<FieldOpsSettings>> ReplaceAsync(FieldActor actor, FieldOpsSettingsInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (input.DailyOvertimeHours is { } daily && daily is <= 0 or > 24)
        {
            errors.Add("dailyOvertimeHours", "must be more than 0 and at most 24, or null for no daily rule.");
        }

        if (input.WeeklyOvertimeHours is { } weekly && weekly is <= 0 or > 168)
        {
            errors.Add("weeklyOvertimeHours", "must be more than 0 and at most 168, or null for no weekly rule.");
        }

        if (input.GeofenceRadiusMetres is not (>= 10 and <= 10_000))
        {
            errors.Add("geofenceRadiusMetres", "is required, from 10 to 10000.");
        }

        if (input.AverageSpeedKmh is not (> 0 and <= 200))
        {
            errors.Add("averageSpeedKmh", "is required, more than 0 and at most 200.");
        }

        if (input.OverdueReminderDays is not (null or (>= 0 and <= 90)))
        {
            errors.Add("overdueReminderDays", "is from 1 to 90 days, or 0 for no reminders of overdue invoices.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var settings = new FieldOpsSettings(
            Round(input.DailyOvertimeHours), Round(input.WeeklyOvertimeHours), input.GeofenceRadiusMetres!.Value, Math.Round(input.AverageSpeedKmh!.Value, 2),
            input.OverdueReminderDays ?? FieldOpsSettings.DefaultOverdueReminderDays);
        await database.InTenantAsync(actor.TenantId, async scope =>
        {
            await FieldOpsSettingsStore.UpsertAsync(scope, actor.TenantId, settings, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
        return settings;
    }

    private static double? Round(double? hours) => hours is { } h ? Math.Round(h, 2) : null;
}
