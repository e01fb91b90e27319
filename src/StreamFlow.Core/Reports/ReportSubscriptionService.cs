using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Core.Reports;

/// <summary>
/// A user's report subscription. <see cref="Eligible"/> is false for roles that may not read reports: their choice is
/// kept but nothing is sent. <see cref="IsDefault"/> is true until the user has chosen.
/// </summary>
public sealed record ReportSubscription(bool Daily, bool Weekly, bool Monthly, bool Eligible, bool IsDefault, string TimeZone, string SendAt, DayOfWeek WeeklyOn);

/// <summary>A change to the caller's own subscription; a missing field keeps its value. All false opts out.</summary>
public sealed record ReportSubscriptionChange(bool? Daily, bool? Weekly, bool? Monthly);

/// <summary>Each user's own opt-in and opt-out of the daily, weekly and monthly reports.</summary>
public sealed class ReportSubscriptionService(StreamFlowDatabase database, ReportsOptions options, TimeProvider timeProvider)
{
    public Task<ReportSubscription> GetAsync(ClientPrincipal user, CancellationToken cancellationToken) =>
        database.InTenantAsync(user.TenantId, scope => ReadAsync(scope, user), cancellationToken);

    public Task<ReportSubscription> ChangeAsync(ClientPrincipal user, ReportSubscriptionChange change, CancellationToken cancellationToken) =>
        database.InTenantAsync(user.TenantId, async scope =>
        {
            var current = await ReadAsync(scope, user);
            await ReportDeliveryStore.UpsertSubscriptionAsync(scope, user.TenantId, user.UserId,
                change.Daily ?? current.Daily, change.Weekly ?? current.Weekly, change.Monthly ?? current.Monthly, timeProvider.GetUtcNow());
            return await ReadAsync(scope, user);
        }, cancellationToken);

    private async Task<ReportSubscription> ReadAsync(DbTransactionScope scope, ClientPrincipal user)
    {
        var row = await ReportDeliveryStore.SubscriptionAsync(scope, user.UserId);
        var context = await ReportStore.ContextAsync(scope, user.TenantId);
        var schedule = ReportSchedule.For(context!, options);
        return new ReportSubscription(
            row?.Daily ?? options.DefaultDaily, row?.Weekly ?? options.DefaultWeekly, row?.Monthly ?? options.DefaultMonthly,
            user.Role.Allows(Permission.ReportsRead), row is null, schedule.Zone.Id, schedule.SendAt.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), schedule.WeeklyOn);
    }
}
