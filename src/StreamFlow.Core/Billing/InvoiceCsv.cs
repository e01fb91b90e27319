using System.Globalization;
using System.Text;

namespace StreamFlow.Core.Billing;

/// <summary>
/// Invoices as CSV (RFC 4180: CRLF rows, quoted fields where needed, UTF-8, invariant culture). Text a spreadsheet
/// would run as a formula is kept as text, as in ReportCsv: descriptions and client names are not ours to trust.
/// </summary>
internal static class InvoiceCsv
{
    public const string LinesHeader = "invoice_number,position,line_type,description,quantity,unit_amount,amount,currency,period_start,period_end";

    public const string ExportInvoicesHeader =
        "invoice_number,status,client_name,client_slug,client_id,period_start,period_end,currency,subtotal,discount_total,tax_rate,tax_total,total,credited_total,amount_due,issued_at,due_at,paid_at";

    public const string ExportLinesHeader =
        "invoice_number,status,client_name,client_slug,client_id,issued_at,currency,position,line_type,description,quantity,unit_amount,amount,period_start,period_end";

    /// <summary>One invoice's lines, as the client downloads them.</summary>
    public static byte[] Lines(Invoice invoice)
    {
        var csv = new StringBuilder().Append(LinesHeader).Append("\r\n");
        foreach (var line in invoice.Lines)
        {
            AppendRow(csv, invoice.Number, line.Position, line.LineType, line.Description, Quantity(line.Quantity), UnitAmount(line.UnitAmount),
                line.Amount.Amount, line.Amount.Currency, line.PeriodStart, line.PeriodEnd);
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    public static string ExportInvoiceRow(InvoiceExportRow row) =>
        Row(row.Number, row.Status, row.TenantName, row.TenantSlug, row.TenantId, row.PeriodStart, row.PeriodEnd, row.Currency,
            Amount(row.Subtotal), Amount(row.DiscountTotal), row.TaxRate.ToString("0.######", CultureInfo.InvariantCulture), Amount(row.TaxTotal),
            Amount(row.Total), Amount(row.CreditedTotal), Amount(InvoiceAmounts.Due(row.Status, row.Total, row.CreditedTotal)), row.IssuedAt, row.DueAt, row.PaidAt);

    public static string ExportLineRow(InvoiceExportRow row) =>
        Row(row.Number, row.Status, row.TenantName, row.TenantSlug, row.TenantId, row.IssuedAt, row.Currency, row.LinePosition, row.LineType,
            row.Description, row.Quantity is { } quantity ? Quantity(quantity) : null, row.UnitAmount is { } unit ? UnitAmount(unit) : null,
            row.Amount is { } amount ? Amount(amount) : null, row.LineStart, row.LineEnd);

    public static string Amount(decimal value) =>
        decimal.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Quantity(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string UnitAmount(decimal value) => value.ToString("0.00########", CultureInfo.InvariantCulture);

    private static string Row(params object?[] values)
    {
        var row = new StringBuilder();
        AppendRow(row, values);
        return row.ToString();
    }

    private static void AppendRow(StringBuilder csv, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            csv.Append(Field(Format(values[i])));
        }

        csv.Append("\r\n");
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    internal static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}

/// <summary>What is still to be paid on an invoice: nothing once paid or void, otherwise the total less credits.</summary>
internal static class InvoiceAmounts
{
    public static decimal Due(string status, decimal total, decimal creditedTotal) =>
        status is InvoiceStatus.Paid or InvoiceStatus.Void ? 0m : Math.Max(total - creditedTotal, 0m);
}
