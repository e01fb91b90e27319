using System.Globalization;
using StreamFlow.Core.FieldOps.Quotes;

namespace StreamFlow.Core.FieldOps.Invoicing;

/// <summary>
/// The invoice as a PDF, laid out as the quote is (<see cref="QuotePdf"/>: Courier text, nothing embedded): the
/// business's name, number, customer, dates, lines (labour says measured or planned), totals, payments and the balance due.
/// </summary>
internal static class CustomerInvoicePdf
{
    public static byte[] Render(CustomerInvoice invoice, string business) => QuotePdf.RenderLines(Text(invoice, business));

    internal static List<string> Text(CustomerInvoice invoice, string business)
    {
        var lines = new List<string>
        {
            business,
            invoice.Status == CustomerInvoiceStatus.Paid ? $"Invoice {invoice.Number} - PAID" : $"Invoice {invoice.Number}",
            $"Bill to: {invoice.CustomerName}",
            string.Create(CultureInfo.InvariantCulture, $"Issued: {(invoice.SentAt ?? invoice.CreatedAt):yyyy-MM-dd}   Due: {invoice.DueOn:yyyy-MM-dd}"),
            "",
            $"{"Description",-50} {"Qty",8} {"Unit price",12} {"Amount",12}",
        };
        foreach (var line in invoice.Lines)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{QuotePdf.Cut(line.Description, 50),-50} {line.Quantity,8:0.###} {line.UnitPrice.Amount,12} {line.Amount.Amount,12}"));
        }

        lines.Add("");
        lines.Add($"{"Subtotal",72} {invoice.Subtotal.Amount,12}");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{$"Tax ({invoice.TaxRate:0.###} %)",72} {invoice.Tax.Amount,12}"));
        lines.Add($"{$"Total ({invoice.Currency})",72} {invoice.Total.Amount,12}");
        if (invoice.DepositApplied.Amount is not ("0.00" or "0"))
        {
            lines.Add($"{"Deposit paid on the quote",72} {"-" + invoice.DepositApplied.Amount,12}");
        }
        foreach (var payment in invoice.Payments)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{$"Paid {payment.PaidAt:yyyy-MM-dd} ({payment.Method.Replace('_', ' ')})",72} {"-" + payment.Amount.Amount,12}"));
        }

        lines.Add($"{$"Balance due ({invoice.Currency})",72} {invoice.BalanceDue.Amount,12}");
        if (invoice.Notes is { } notes)
        {
            lines.Add("");
            lines.AddRange(notes.Split('\n').SelectMany(QuotePdf.Wrap));
        }

        return lines;
    }
}
