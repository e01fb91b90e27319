using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Payments;

/// <summary>What one dunning run did.</summary>
public sealed record DunningRun(int Overdue, int RemindersSent, int ProviderAlerts, int Failed);

/// <summary>
/// The daily dunning pass over overdue invoices (open or payment failed, past due, something still owed): the owner is
/// reminded on each configured day after the due date, and once an invoice is AlertAfterDays overdue the provider is
/// alerted, once, and may suspend the client. Each reminder day and the alert are claimed as an invoice_events row in
/// the client's transaction before the mail is sent and committed after it: at most one of overlapping runs sends, and
/// a failed mail is retried by the next run. The scan across clients is the narrow billing_overdue_invoices function.
/// </summary>
public sealed class DunningService(
    StreamFlowDatabase database,
    EmailSender email,
    IOptions<DunningOptions> options,
    IConfiguration configuration,
    TimeProvider timeProvider,
    ILogger<DunningService> logger)
{
    public async Task<DunningRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var overdue = await database.InPlatformAsync(
            scope => InvoicePaymentStore.OverdueAsync(scope, now), cancellationToken);
        int reminders = 0, alerts = 0, failed = 0;
        foreach (var invoice in overdue)
        {
            try
            {
                var daysOverdue = (int)Math.Floor((now - invoice.DueAt).TotalDays);
                reminders += await RemindAsync(invoice, daysOverdue, now, cancellationToken) ? 1 : 0;
                alerts += await AlertProviderAsync(invoice, daysOverdue, now, cancellationToken) ? 1 : 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogError(exception, "Dunning failed for invoice {InvoiceId} of tenant {TenantId}", invoice.InvoiceId, invoice.TenantId);
            }
        }

        return new DunningRun(overdue.Count, reminders, alerts, failed);
    }

    // One reminder per invoice and run: the latest configured day reached. Days missed while the timer was down are
    // not sent late, one after another.
    private async Task<bool> RemindAsync(OverdueInvoice overdue, int daysOverdue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var days = options.Value.ReminderDayList().Where(day => day <= daysOverdue).ToList();
        if (days.Count == 0)
        {
            return false;
        }

        var day = days[^1];
        return await database.InTenantAsync(overdue.TenantId, async scope =>
        {
            var invoice = await InvoiceStore.GetAsync(scope, overdue.InvoiceId);
            if (invoice is null || invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed)
                || (invoice.StripeInvoiceId is not null && !options.Value.RemindWhenStripeCollects))
            {
                return false;
            }

            var owners = await InvoicePaymentStore.OwnerEmailsAsync(scope);
            if (!await InvoicePaymentStore.AddEventAsync(scope, overdue.TenantId, overdue.InvoiceId, InvoiceEventKind.ReminderSent,
                    new { day = day.ToString(CultureInfo.InvariantCulture), recipients = owners.Count }, now))
            {
                return false;
            }

            var payAt = await InvoicePaymentStore.LatestEventAsync(scope, overdue.InvoiceId, InvoiceEventKind.StripeSubmitted) is { } submitted
                && submitted.TryGetProperty("hostedInvoiceUrl", out var url) && url.ValueKind == JsonValueKind.String
                    ? $"Pay online: {url.GetString()}\n\n"
                    : "";
            var subject = $"Payment reminder: invoice {invoice.Number} is {daysOverdue} days overdue";
            var body = $"""
                Invoice {invoice.Number} for {invoice.PeriodStart:yyyy-MM-dd} to {invoice.PeriodEnd.AddDays(-1):yyyy-MM-dd} was due on {invoice.DueAt:yyyy-MM-dd}.
                Amount due: {invoice.AmountDue.Amount} {invoice.AmountDue.Currency}.

                {payAt}If you have paid already, thank you: please reply with the payment reference.
                """;
            foreach (var owner in owners)
            {
                // Inside the claiming transaction: a mail that fails rolls the claim back, and the next run tries again.
                await email.SendAsync(new EmailMessage(owner, subject, body), cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    private async Task<bool> AlertProviderAsync(OverdueInvoice overdue, int daysOverdue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (daysOverdue < options.Value.AlertAfterDays)
        {
            return false;
        }

        var to = options.Value.ProviderEmail is { Length: > 0 } configured ? configured : configuration["STREAMFLOW_PROVIDER_EMAIL"];
        if (string.IsNullOrWhiteSpace(to))
        {
            logger.LogWarning("Invoice {InvoiceId} of tenant {TenantId} is {Days} days overdue, but no provider address is configured (Billing:Dunning:ProviderEmail or STREAMFLOW_PROVIDER_EMAIL)",
                overdue.InvoiceId, overdue.TenantId, daysOverdue);
            return false;
        }

        return await database.InTenantAsync(overdue.TenantId, async scope =>
        {
            var invoice = await InvoiceStore.GetAsync(scope, overdue.InvoiceId);
            if (invoice is null || invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed)
                || !await InvoicePaymentStore.AddEventAsync(scope, overdue.TenantId, overdue.InvoiceId, InvoiceEventKind.ProviderAlerted,
                    new { daysOverdue, to }, now))
            {
                return false;
            }

            var client = await InvoicePaymentStore.ClientNameAsync(scope, overdue.TenantId);
            var owed = Money.Of(overdue.AmountDue, overdue.Currency);
            await email.SendAsync(new EmailMessage(
                to,
                $"Overdue invoice: {client.Name} owes {owed.Amount} {owed.Currency} ({daysOverdue} days)",
                $"""
                Client: {client.Name} ({client.Slug}, id {overdue.TenantId})
                Invoice: {invoice.Number} (id {invoice.Id}), status {invoice.Status}
                Amount due: {owed.Amount} {owed.Currency}
                Due on: {invoice.DueAt:yyyy-MM-dd}, {daysOverdue} days ago

                The owner was reminded on the configured days. You may suspend the client until it pays:
                POST /api/v1/provider/tenants/{overdue.TenantId}/suspend with {"{"}"reason": "Invoice {invoice.Number} unpaid"{"}"}
                (and POST /api/v1/provider/tenants/{overdue.TenantId}/resume once paid). A payment received outside Stripe is recorded with
                POST /api/v1/provider/tenants/{overdue.TenantId}/invoices/{invoice.Id}/mark-paid.
                """), cancellationToken);
            return true;
        }, cancellationToken);
    }

    internal sealed record OverdueInvoice
    {
        public Guid TenantId { get; init; }
        public Guid InvoiceId { get; init; }
        public DateTimeOffset DueAt { get; init; }
        public string Currency { get; init; } = "";
        public decimal AmountDue { get; init; }
    }

    internal sealed record ClientName
    {
        public string Name { get; init; } = "";
        public string Slug { get; init; } = "";
    }
}
