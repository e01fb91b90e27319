using System.Globalization;
using System.Net;
using System.Text;

namespace StreamFlow.Core.Billing.Cycle;

/// <summary>
/// Renders a finalized invoice as one self-contained HTML document (inline CSS, no external resources): provider,
/// client, number, period, lines, totals, tax, due date and how to pay. The same HTML is stored and emailed.
/// </summary>
public static class InvoiceDocumentRenderer
{
    private const string Style = """
            <style>
            body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2933;margin:0;padding:32px;background:#f5f7fa}
            .sheet{max-width:760px;margin:0 auto;background:#fff;padding:40px;border-radius:6px}
            h1{font-size:24px;margin:0 0 4px} .muted{color:#616e7c} table{width:100%;border-collapse:collapse;margin-top:24px}
            th,td{text-align:left;padding:8px;border-bottom:1px solid #e4e7eb;vertical-align:top} td.num,th.num{text-align:right;white-space:nowrap}
            .totals td{border:none} .grand td{font-weight:bold;font-size:18px;border-top:2px solid #1f2933}
            .pay{margin-top:32px;padding:16px;background:#f0f4f8;border-radius:4px}
            </style>
        """;

    public static string Render(Invoice invoice, string clientName, string providerName, string paymentInstructions, string? payOnlineUrl = null)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var culture = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append(culture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Invoice {{E(invoice.Number ?? "draft")}}</title>
            {{Style}}</head><body><div class="sheet">
            <h1>Invoice {{E(invoice.Number ?? "draft")}}</h1>
            <p class="muted">{{E(providerName)}}</p>
            <p><strong>Billed to:</strong> {{E(clientName)}}<br>
            <strong>Period:</strong> {{invoice.PeriodStart:yyyy-MM-dd}} to {{invoice.PeriodEnd.AddDays(-1):yyyy-MM-dd}}<br>
            <strong>Issued:</strong> {{invoice.IssuedAt:yyyy-MM-dd}}<br>
            <strong>Due:</strong> {{invoice.DueAt:yyyy-MM-dd}}</p>
            <table><thead><tr><th>Description</th><th class="num">Quantity</th><th class="num">Amount ({{E(invoice.Currency)}})</th></tr></thead><tbody>
            """);
        foreach (var line in invoice.Lines)
        {
            html.Append(culture, $"<tr><td>{E(line.Description)}</td><td class=\"num\">{line.Quantity.ToString("0.######", culture)}</td><td class=\"num\">{E(line.Amount.Amount)}</td></tr>\n");
        }

        if (invoice.Lines.Count == 0)
        {
            html.Append("<tr><td colspan=\"3\" class=\"muted\">Nothing was charged in this period.</td></tr>\n");
        }

        var creditRow = invoice.CreditedTotal.Amount == "0.00"
            ? ""
            : $"\n<tr><td>Credit notes</td><td class=\"num\">-{E(invoice.CreditedTotal.Amount)} {E(invoice.Currency)}</td></tr>";
        html.Append(culture, $"""
            </tbody></table>
            <table class="totals"><tbody>
            <tr><td>Subtotal</td><td class="num">{E(invoice.Subtotal.Amount)} {E(invoice.Currency)}</td></tr>
            <tr><td>Discounts</td><td class="num">-{E(invoice.DiscountTotal.Amount)} {E(invoice.Currency)}</td></tr>
            <tr><td>Tax ({(invoice.TaxRate * 100m).ToString("0.####", culture)}%)</td><td class="num">{E(invoice.TaxTotal.Amount)} {E(invoice.Currency)}</td></tr>
            <tr class="grand"><td>Total</td><td class="num">{E(invoice.Total.Amount)} {E(invoice.Currency)}</td></tr>{creditRow}
            <tr class="grand"><td>Amount due</td><td class="num">{E(invoice.AmountDue.Amount)} {E(invoice.Currency)}</td></tr>
            </tbody></table>
            <div class="pay"><strong>How to pay</strong><br>{E(paymentInstructions)}
            """);
        if (payOnlineUrl is not null)
        {
            html.Append(culture, $"<br><a href=\"{E(payOnlineUrl)}\">Pay this invoice online</a>");
        }

        html.Append("</div>\n</div></body></html>\n");
        return html.ToString();
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
