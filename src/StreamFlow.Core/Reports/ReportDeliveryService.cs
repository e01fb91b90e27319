using System.Globalization;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Reports;

public sealed record SendReportRequest(string? Period, string? Date, string? To);

public sealed record SentReports(IReadOnlyList<ReportDelivery> Deliveries);

/// <summary>What one run of the scheduled-report timer did.</summary>
public sealed record ScheduledReportRun(int TenantsChecked, int Sent, int Failed, int TenantsFailed);

/// <summary>
/// Sends reports by email: now, on request, to the caller or to the subscribers of a cadence; and on schedule, every
/// report that is due for every active tenant, each (user, period) once. Each report is generated, rendered and
/// archived once and mailed to each of its recipients; every mail gets a <c>report_deliveries</c> row.
/// </summary>
public sealed class ReportDeliveryService(
    StreamFlowDatabase database,
    ReportGenerator generator,
    ReportRenderer renderer,
    ReportArchive archive,
    EmailSender email,
    IReportEvents events,
    ReportsOptions options,
    TimeProvider timeProvider,
    ILogger<ReportDeliveryService> logger)
{
    public async Task<Result<SentReports>> SendNowAsync(ClientPrincipal caller, SendReportRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var kind = ReportPeriodKind.Day;
        if (request.Period is not null && !ReportPeriod.TryParseKind(request.Period, out kind))
        {
            errors.Add("period", "must be day, week or month.");
        }

        DateOnly? date = null;
        if (request.Date is not null)
        {
            date = DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            if (date is null)
            {
                errors.Add("date", "must be a date as YYYY-MM-DD.");
            }
        }

        var to = request.To ?? "me";
        if (to is not ("me" or "subscribers"))
        {
            errors.Add("to", "must be me or subscribers.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var recipients = await database.InTenantAsync(caller.TenantId, scope =>
            ReportDeliveryStore.RecipientsAsync(scope, options, to == "me" ? caller.UserId : null), cancellationToken);
        recipients = [.. recipients.Where(r => MayRead(r) && (to == "me" || r.Wants(kind)))];
        if (recipients.Count == 0)
        {
            return new Problem(ProblemKind.Unprocessable, to == "me"
                ? "Your account cannot receive reports."
                : $"No user of this business is subscribed to the {ReportPeriod.Name(kind)} report.");
        }

        var summary = await generator.GenerateAsync(caller.TenantId, kind, date, cancellationToken);
        var deliveries = await database.InTenantAsync(caller.TenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var claimed = new List<(Guid, Recipient)>();
            foreach (var recipient in recipients)
            {
                claimed.Add((await ReportDeliveryStore.InsertManualAsync(scope, caller.TenantId, recipient, summary.Period, caller.Actor, now), recipient));
            }

            return claimed;
        }, cancellationToken);
        var results = await DeliverAsync(summary, deliveries, ReportTrigger.Manual, cancellationToken);
        return results.All(r => r.Status == "failed")
            ? new Problem(ProblemKind.Unavailable, "The mail server did not accept the report; nothing was sent. Try again later.")
            : new SentReports(results);
    }

    /// <summary>Sends every report that is due now, for every active tenant; suspended tenants get nothing.</summary>
    public async Task<ScheduledReportRun> SendDueAsync(CancellationToken cancellationToken)
    {
        var tenantIds = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
        var (sent, failed, tenantsFailed) = (0, 0, 0);
        foreach (var tenantId in tenantIds)
        {
            try
            {
                var results = await SendDueForTenantAsync(tenantId, cancellationToken);
                sent += results.Count(r => r.Status == "sent");
                failed += results.Count(r => r.Status == "failed");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                tenantsFailed++;
                logger.LogError(exception, "Scheduled reports for tenant {TenantId} failed", tenantId);
            }
        }

        return new ScheduledReportRun(tenantIds.Count, sent, failed, tenantsFailed);
    }

    internal async Task<IReadOnlyList<ReportDelivery>> SendDueForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        // Claims first: a report nobody is owed (already sent, or claimed by a concurrent run) is never generated.
        var claims = await database.InTenantAsync(tenantId, async scope =>
        {
            var context = await ReportStore.ContextAsync(scope, tenantId);
            if (context is not { Status: TenantStatus.Active })
            {
                return [];
            }

            var schedule = ReportSchedule.For(context, options);
            var recipients = (await ReportDeliveryStore.RecipientsAsync(scope, options)).Where(MayRead).ToList();
            var claimed = new List<(ReportPeriod Period, Guid DeliveryId, Recipient Recipient)>();
            foreach (var kind in Enum.GetValues<ReportPeriodKind>())
            {
                var period = schedule.DuePeriod(kind, now);
                foreach (var recipient in recipients.Where(r => r.Wants(kind) && r.CreatedAt < period.EndUtc))
                {
                    if (await ReportDeliveryStore.ClaimScheduledAsync(scope, tenantId, recipient, period, now, options) is { } deliveryId)
                    {
                        claimed.Add((period, deliveryId, recipient));
                    }
                }
            }

            return claimed;
        }, cancellationToken);

        var results = new List<ReportDelivery>();
        foreach (var group in claims.GroupBy(c => c.Period))
        {
            var summary = await generator.GenerateAsync(tenantId, group.Key.Kind, group.Key.Start, cancellationToken);
            results.AddRange(await DeliverAsync(summary, group.Select(c => (c.DeliveryId, c.Recipient)).ToList(), ReportTrigger.Schedule, cancellationToken));
        }

        return results;
    }

    private async Task<IReadOnlyList<ReportDelivery>> DeliverAsync(ReportSummary summary, IReadOnlyList<(Guid DeliveryId, Recipient Recipient)> deliveries, string trigger, CancellationToken cancellationToken)
    {
        string? archivePath = null;
        RenderedReport? rendered = null;
        try
        {
            rendered = await renderer.RenderAsync(summary, cancellationToken);
            archivePath = await archive.StoreAsync(Guid.CreateVersion7(), summary, rendered, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Rendering or archiving the {Kind} report of tenant {TenantId} failed", summary.Period.Kind, summary.TenantId);
        }

        var results = new List<ReportDelivery>();
        foreach (var (deliveryId, recipient) in deliveries)
        {
            var error = rendered is null || archivePath is null ? "rendering or archiving failed" : await SendAsync(rendered, recipient, summary.TenantId, cancellationToken);
            results.Add(await database.InTenantAsync(summary.TenantId, async scope =>
            {
                var now = timeProvider.GetUtcNow();
                if (error is null)
                {
                    await ReportDeliveryStore.MarkSentAsync(scope, deliveryId, archivePath!, now);
                    await events.ReportSentAsync(scope, new ReportSentEvent(summary.TenantId, deliveryId, recipient.UserId, ReportPeriod.Name(summary.Period.Kind),
                        summary.Period.Start, summary.Period.End, trigger, archivePath, now), cancellationToken);
                }
                else
                {
                    await ReportDeliveryStore.MarkFailedAsync(scope, deliveryId, error, archivePath);
                }

                return await ReportDeliveryStore.FindAsync(scope, deliveryId);
            }, cancellationToken));
        }

        logger.LogInformation("Sent the {Kind} report of tenant {TenantId} for {PeriodStart}: {Sent} sent, {Failed} failed",
            summary.Period.Kind, summary.TenantId, summary.Period.Start, results.Count(r => r.Status == "sent"), results.Count(r => r.Status == "failed"));
        return results;
    }

    private async Task<string?> SendAsync(RenderedReport rendered, Recipient recipient, Guid tenantId, CancellationToken cancellationToken)
    {
        var attachments = rendered.Charts.Select(c => new EmailAttachment(c.FileName, "image/png", c.Png, c.ContentId))
            .Append(new EmailAttachment(rendered.CsvFileName, "text/csv", rendered.Csv))
            .ToList();
        try
        {
            await email.SendAsync(new EmailMessage(recipient.Email, rendered.Subject, rendered.Text, rendered.Html, attachments, tenantId), cancellationToken);
            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The address is personal data: the log names the user id and the kind of failure only.
            logger.LogWarning("Mailing a report to user {UserId} failed with {Error}", recipient.UserId, exception.GetType().Name);
            return exception.GetType().Name;
        }
    }

    private static bool MayRead(Recipient recipient) =>
        ClientRoles.TryParse(recipient.Role, out var role) && role.Allows(Permission.ReportsRead);
}
