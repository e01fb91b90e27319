using Azure.Storage.Blobs;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Reports;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Reports;

[Collection(ServicesCollection.Name)]
public sealed class ScheduledReportTests(TestServices services)
{
    // A Friday noon; four days later it is Tuesday 25 November, 14:00 UTC: yesterday's and last week's reports are due.
    private static readonly DateTimeOffset Created = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Due = new(2026, 11, 25, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_timer_that_fires_twice_at_once_sends_each_report_once()
    {
        using var bed = new ReportTestBed(services, Created);
        var (tenantId, _) = await bed.CreateTenantAsync();
        bed.Clock.SetUtcNow(Due);
        var delivery = bed.Get<ReportDeliveryService>();

        var runs = await Task.WhenAll(delivery.SendDueForTenantAsync(tenantId, CancellationToken.None), delivery.SendDueForTenantAsync(tenantId, CancellationToken.None));
        var again = await delivery.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var rows = await DeliveriesAsync(bed, tenantId);

        Assert.Equal(2, runs.Sum(r => r.Count));
        Assert.Empty(again);
        Assert.Equal(["day 2026-11-24 sent", "week 2026-11-16 sent"], rows.Select(r => $"{r.Kind} {r.Start:yyyy-MM-dd} {r.Status}").Order());
    }

    [Fact]
    public async Task Each_user_gets_the_cadences_they_chose_and_roles_without_reports_get_none()
    {
        using var bed = new ReportTestBed(services, Created);
        var (tenantId, owner) = await bed.CreateTenantAsync();
        var manager = await bed.AddUserAsync(tenantId, ClientRole.Manager);
        var employee = await bed.AddUserAsync(tenantId, ClientRole.Employee);
        var staff = await bed.AddUserAsync(tenantId, ClientRole.Staff);
        var subscriptions = bed.Get<ReportSubscriptionService>();
        await subscriptions.ChangeAsync(manager, new ReportSubscriptionChange(Daily: false, Weekly: null, Monthly: true), CancellationToken.None);
        await subscriptions.ChangeAsync(staff, new ReportSubscriptionChange(false, false, false), CancellationToken.None);
        await subscriptions.ChangeAsync(employee, new ReportSubscriptionChange(true, true, true), CancellationToken.None);
        bed.Clock.SetUtcNow(Due);

        await bed.Get<ReportDeliveryService>().SendDueForTenantAsync(tenantId, CancellationToken.None);
        var rows = await DeliveriesAsync(bed, tenantId);

        Assert.Equal(
            new[] { $"{owner.UserId} day", $"{owner.UserId} week", $"{manager.UserId} week" }.Order(),
            rows.Select(r => $"{r.UserId} {r.Kind}").Order());
    }

    [Fact]
    public async Task A_user_created_after_the_period_ended_gets_no_report_for_it()
    {
        using var bed = new ReportTestBed(services, Due.AddHours(-1));
        var (tenantId, _) = await bed.CreateTenantAsync();
        bed.Clock.SetUtcNow(Due);

        var sent = await bed.Get<ReportDeliveryService>().SendDueForTenantAsync(tenantId, CancellationToken.None);

        Assert.Empty(sent);
    }

    [Fact]
    public async Task A_suspended_tenant_gets_no_scheduled_report()
    {
        using var bed = new ReportTestBed(services, Created);
        var (tenantId, _) = await bed.CreateTenantAsync();
        await bed.Get<TenantService>().SuspendAsync(tenantId, "unpaid invoices", "test", new RequestOrigin(null, null), CancellationToken.None);
        bed.Clock.SetUtcNow(Due);

        var sent = await bed.Get<ReportDeliveryService>().SendDueForTenantAsync(tenantId, CancellationToken.None);

        Assert.Empty(sent);
        Assert.Empty(await DeliveriesAsync(bed, tenantId));
    }

    [Fact]
    public async Task A_sent_report_is_archived_as_html_csv_and_json()
    {
        using var bed = new ReportTestBed(services, Created);
        var (tenantId, _) = await bed.CreateTenantAsync();
        bed.Clock.SetUtcNow(Due);

        var sent = await bed.Get<ReportDeliveryService>().SendDueForTenantAsync(tenantId, CancellationToken.None);
        var daily = sent.Single(d => d.PeriodKind == "day");
        var prefix = daily.ArchivePath!["reports/".Length..];
        var names = new List<string>();
        await foreach (var blob in bed.Get<BlobServiceClient>().GetBlobContainerClient("reports").GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            names.Add(blob.Name[prefix.Length..]);
        }

        Assert.StartsWith($"reports/{tenantId}/day/2026-11-24/", daily.ArchivePath, StringComparison.Ordinal);
        Assert.Equal(["report-day-2026-11-24.csv", "report.html", "summary.json"], names.Order());
    }

    private static async Task<List<(Guid? UserId, string Kind, DateTime Start, string Status)>> DeliveriesAsync(ReportTestBed bed, Guid tenantId) =>
        (await bed.Database.InTenantAsync(tenantId, scope => scope.Connection.QueryAsync<(Guid? UserId, string Kind, DateTime Start, string Status)>(
            scope.Command("SELECT user_id, period_kind, period_start, status FROM report_deliveries")), CancellationToken.None)).ToList();
}
