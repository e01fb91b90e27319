using System.Globalization;
using System.Text;
using StreamFlow.Core.Email;

namespace StreamFlow.Core.FieldOps.Invoicing;

/// <summary>The mail that carries an invoice to its customer: the total, what is still due and by when, the invoice as a PDF.</summary>
internal static class CustomerInvoiceEmail
{
    public static EmailMessage Compose(Guid tenantId, string to, CustomerInvoice invoice, string business, byte[] pdf)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {invoice.CustomerName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"{business} sent you invoice {invoice.Number}.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Total: {invoice.Total.Amount} {invoice.Currency}\n");
        if (invoice.Payments.Count > 0 || invoice.DepositApplied.Amount is not ("0.00" or "0"))
        {
            text.Append(CultureInfo.InvariantCulture, $"Paid so far: {invoice.AmountPaid.Amount} {invoice.Currency}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Amount due: {invoice.BalanceDue.Amount} {invoice.Currency} by {invoice.DueOn:yyyy-MM-dd}\n\n")
            .Append("The invoice is attached as a PDF.\n");
        return new EmailMessage(to, $"Invoice {invoice.Number} from {business}", text.ToString(),
            Attachments: [new EmailAttachment($"invoice-{invoice.Number}.pdf", "application/pdf", pdf)], BrandTenantId: tenantId);
    }

    /// <summary>Reminder <paramref name="step"/> of <paramref name="of"/>: what is still due, since when, the invoice attached again.</summary>
    public static EmailMessage ComposeReminder(Guid tenantId, string to, CustomerInvoice invoice, string business, byte[] pdf, int step, int of, int daysOverdue)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {invoice.CustomerName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"Invoice {invoice.Number} from {business} was due on {invoice.DueOn:yyyy-MM-dd} and is now {daysOverdue} days overdue.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Total: {invoice.Total.Amount} {invoice.Currency}\n")
            .Append(CultureInfo.InvariantCulture, $"Paid so far: {invoice.AmountPaid.Amount} {invoice.Currency}\n")
            .Append(CultureInfo.InvariantCulture, $"Amount due: {invoice.BalanceDue.Amount} {invoice.Currency}\n\n")
            .Append(CultureInfo.InvariantCulture, $"This is reminder {step} of {of}. The invoice is attached again as a PDF; if you have paid it meanwhile, please ignore this mail.\n");
        return new EmailMessage(to, $"Reminder: invoice {invoice.Number} from {business} is overdue", text.ToString(),
            Attachments: [new EmailAttachment($"invoice-{invoice.Number}.pdf", "application/pdf", pdf)], BrandTenantId: tenantId);
    }
}
