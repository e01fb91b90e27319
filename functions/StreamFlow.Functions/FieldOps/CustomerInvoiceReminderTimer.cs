using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.FieldOps.Invoicing;

namespace StreamFlow.Functions.FieldOps;

/// <summary>Mails customers the reminders of their overdue invoices; safe to fire twice, each reminder step is sent once.</summary>
public sealed class CustomerInvoiceReminderTimer(CustomerInvoiceReminderService reminders, ILogger<CustomerInvoiceReminderTimer> logger)
{
    [Function("SendCustomerInvoiceReminders")]
    public async Task Run([TimerTrigger("%FieldOps:InvoiceReminderSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await reminders.SendDueAsync(cancellationToken);
        logger.LogInformation("Overdue customer invoices: {Tenants} tenants checked, {Reminded} reminded, {Failed} failed",
            run.Tenants, run.Reminded, run.Failed);
    }
}
