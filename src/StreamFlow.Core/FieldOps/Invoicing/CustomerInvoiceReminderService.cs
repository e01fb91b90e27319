using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.FieldOps.Invoicing;

public sealed record CustomerInvoiceReminderRun(int Tenants, int Reminded, int Failed);

/// <summary>
/// Mails the customer of a sent invoice still unpaid N days after its due date (N the business's
/// <c>overdueReminderDays</c>), again at 2N and 3N days, never more than three times. Each reminder is recorded in the
/// transaction that holds the invoice while its mail is handed to the server: a refused mail records nothing (the next
/// run tries again), a recorded step is never sent again however often or concurrently the timer fires. A run that
/// finds an invoice several steps behind (the timer was off) sends one reminder, the latest step due.
/// </summary>
public sealed class CustomerInvoiceReminderService(
    StreamFlowDatabase database,
    EmailSender email,
    Branding.BrandResolver brands,
    TimeProvider timeProvider,
    ILogger<CustomerInvoiceReminderService> logger)
{
    public const int MaxReminders = 3;

    /// <summary>Customers are mailed from this local hour on, not at the business's midnight when the day turns.</summary>
    public const int FirstLocalHour = 8;

    private const int BatchSize = 200;

    /// <summary>The reminder step due <paramref name="today"/> (1 to 3), or null when none is due beyond <paramref name="lastStep"/>.</summary>
    public static int? DueStep(DateOnly dueOn, DateOnly today, int everyDays, int lastStep)
    {
        if (everyDays <= 0 || today <= dueOn)
        {
            return null;
        }

        var step = Math.Min(MaxReminders, (today.DayNumber - dueOn.DayNumber) / everyDays);
        return step > lastStep ? step : null;
    }

    public async Task<CustomerInvoiceReminderRun> SendDueAsync(CancellationToken cancellationToken)
    {
        var tenantIds = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
        var (reminded, failed) = (0, 0);
        foreach (var tenantId in tenantIds)
        {
            try
            {
                var run = await SendDueForTenantAsync(tenantId, cancellationToken);
                reminded += run.Reminded;
                failed += run.Failed;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogError(exception, "Reminders of overdue customer invoices for tenant {TenantId} failed", tenantId);
            }
        }

        return new CustomerInvoiceReminderRun(tenantIds.Count, reminded, failed);
    }

    public async Task<CustomerInvoiceReminderRun> SendDueForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var (everyDays, today, candidates) = await database.InTenantAsync(tenantId, async scope =>
        {
            var (settings, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var local = TimeZones.Local(timeProvider.GetUtcNow(), zone);
            var localToday = DateOnly.FromDateTime(local.DateTime);
            var every = settings.OverdueReminderDays;
            return every <= 0 || local.Hour < FirstLocalHour
                ? (every, localToday, (IReadOnlyList<OverdueInvoice>)[])
                : (every, localToday, await CustomerInvoiceReminderStore.OverdueAsync(scope, localToday.AddDays(-every), MaxReminders, BatchSize));
        }, cancellationToken);

        var (reminded, failed) = (0, 0);
        foreach (var invoice in candidates.Where(i => DueStep(i.DueOn, today, everyDays, i.LastStep) is not null))
        {
            try
            {
                reminded += await RemindAsync(tenantId, invoice.Id, everyDays, today, cancellationToken) ? 1 : 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogWarning("The reminder of overdue customer invoice {InvoiceId} was not sent (tried again next run): {Error}", invoice.Id, exception.GetType().Name);
            }
        }

        return new CustomerInvoiceReminderRun(1, reminded, failed);
    }

    private Task<bool> RemindAsync(Guid tenantId, Guid invoiceId, int everyDays, DateOnly today, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            if (!await CustomerInvoiceReminderStore.LockStillOwingAsync(scope, invoiceId)
                || await CustomerInvoiceStore.FindAsync(scope, invoiceId) is not { SentTo: { } to } invoice
                || DueStep(invoice.DueOn, today, everyDays, await CustomerInvoiceReminderStore.LastStepAsync(scope, invoiceId)) is not { } step)
            {
                return false;
            }

            var daysOverdue = today.DayNumber - invoice.DueOn.DayNumber;
            if (!await CustomerInvoiceReminderStore.RecordAsync(scope, tenantId, invoiceId, step, daysOverdue, to, timeProvider.GetUtcNow()))
            {
                return false;
            }

            var business = await brands.DocumentNameAsync(tenantId, await QuoteStore.BusinessNameAsync(scope, tenantId) ?? "Your contractor", scope.CancellationToken);
            var view = CustomerInvoiceService.View(invoice);
            // Handed to the server inside the transaction: if it refuses, the step is not recorded and the next run retries.
            await email.SendAsync(CustomerInvoiceEmail.ComposeReminder(tenantId, to, view, business, CustomerInvoicePdf.Render(view, business), step, MaxReminders, daysOverdue),
                scope.CancellationToken);
            return true;
        }, cancellationToken);
}
