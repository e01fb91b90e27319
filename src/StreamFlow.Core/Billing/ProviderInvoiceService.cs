using System.Text;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

/// <summary>Filters of the provider's invoice list; each one optional. The period filters apply to the period's start.</summary>
public sealed record ProviderInvoiceQuery(Guid? TenantId, string? Status, DateOnly? PeriodFrom, DateOnly? PeriodTo, bool Overdue);

/// <summary>An invoice in the provider's list across clients: its header and the client it bills (lines are on the client's list).</summary>
public sealed record ProviderInvoice(
    Guid Id,
    Guid TenantId,
    string TenantName,
    string TenantSlug,
    string? Number,
    string Status,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Currency,
    Money Subtotal,
    Money DiscountTotal,
    Money TaxTotal,
    Money Total,
    Money CreditedTotal,
    Money AmountDue,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? PaidAt,
    bool Overdue);

public sealed record ProviderInvoicePage(IReadOnlyList<ProviderInvoice> Items, string? NextCursor);

/// <summary>What the export holds: one row per invoice, or one per invoice line.</summary>
public enum InvoiceExportKind
{
    Invoices,
    Lines,
}

/// <summary>A validated export, ready to be written to the response as it is read from the database.</summary>
public sealed class InvoiceExport
{
    private readonly ProviderInvoiceService _service;

    internal InvoiceExport(ProviderInvoiceService service, DateOnly from, DateOnly to, InvoiceExportKind kind)
    {
        _service = service;
        From = from;
        To = to;
        Kind = kind;
    }

    public DateOnly From { get; }

    public DateOnly To { get; }

    public InvoiceExportKind Kind { get; }

    public string FileName => $"invoice-{(Kind == InvoiceExportKind.Lines ? "lines" : "list")}-{From:yyyy-MM-dd}-{To:yyyy-MM-dd}.csv";

    /// <summary>Writes the CSV to <paramref name="output"/>, flushing as it goes.</summary>
    public Task WriteAsync(Stream output, CancellationToken cancellationToken) => _service.WriteExportAsync(this, output, cancellationToken);
}

/// <summary>
/// The provider's invoices: across clients (through the narrow cross-tenant functions), for one client (in that client's
/// RLS transaction), and the CSV export of finalized invoices for accounting.
/// </summary>
public sealed class ProviderInvoiceService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    private const int MaxExportDays = 3700;
    private const int FlushEveryRows = 500;

    private static readonly string[] Statuses =
        [InvoiceStatus.Draft, InvoiceStatus.Open, InvoiceStatus.Paid, InvoiceStatus.PaymentFailed, InvoiceStatus.Uncollectible, InvoiceStatus.Void];

    /// <summary>Invoices of every client, newest period first; drafts included (filter with status).</summary>
    public async Task<Result<ProviderInvoicePage>> ListAsync(ProviderInvoiceQuery query, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckStatus(errors, query.Status);
        if (query.PeriodFrom > query.PeriodTo)
        {
            errors.Add("periodTo", "must not be before periodFrom.");
        }

        var after = InvoiceCursor.Decode(cursor);
        if (!after.Succeeded)
        {
            return after.Problem;
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        var rows = await database.InPlatformAsync(scope => ProviderInvoiceStore.ListAsync(scope, query, now, after.Value, limit + 1), cancellationToken);
        var items = rows.Take(limit).Select(ToInvoice).ToList();
        return new ProviderInvoicePage(items, rows.Count > limit ? InvoiceCursor.Encode(items[^1].PeriodStart, items[^1].Id) : null);
    }

    /// <summary>One client's invoices with their lines, drafts included, newest period first.</summary>
    public async Task<Result<InvoicePage>> ListForTenantAsync(Guid tenantId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckStatus(errors, status);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var after = InvoiceCursor.Decode(cursor);
        if (!after.Succeeded)
        {
            return after.Problem;
        }

        var rows = await database.InTenantAsync(tenantId, async scope =>
            await ProviderInvoiceStore.TenantExistsAsync(scope, tenantId)
                ? await InvoiceStore.ListAsync(scope, status, after.Value, limit + 1, includeDrafts: true)
                : null, cancellationToken);
        if (rows is null)
        {
            return Problem.NotFound("Tenant");
        }

        var items = rows.Take(limit).ToList();
        return new InvoicePage(items, rows.Count > limit ? InvoiceCursor.Encode(items[^1].PeriodStart, items[^1].Id) : null);
    }

    /// <summary>
    /// Checks an export request: finalized invoices issued (UTC date) from <paramref name="from"/> to
    /// <paramref name="to"/> inclusive, as <c>invoices</c> (one row each) or <c>lines</c> (one row per line).
    /// </summary>
    public Result<InvoiceExport> PrepareExport(DateOnly? from, DateOnly? to, string? kind)
    {
        var errors = new ValidationErrors();
        if (from is null)
        {
            errors.Add("from", "is required (YYYY-MM-DD).");
        }

        if (to is null)
        {
            errors.Add("to", "is required (YYYY-MM-DD).");
        }

        if (from > to)
        {
            errors.Add("to", "must not be before from.");
        }
        else if (from is { } start && to is { } end && end.DayNumber - start.DayNumber > MaxExportDays)
        {
            errors.Add("to", $"must be at most {MaxExportDays} days after from.");
        }

        var exportKind = InvoiceExportKind.Invoices;
        if (kind is not (null or "" or "invoices"))
        {
            if (kind == "lines")
            {
                exportKind = InvoiceExportKind.Lines;
            }
            else
            {
                errors.Add("kind", "must be invoices or lines.");
            }
        }

        return errors.ToProblem() is { } invalid ? invalid : new InvoiceExport(this, from!.Value, to!.Value, exportKind);
    }

    internal Task WriteExportAsync(InvoiceExport export, Stream output, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
            await writer.WriteAsync(export.Kind == InvoiceExportKind.Lines ? InvoiceCsv.ExportLinesHeader : InvoiceCsv.ExportInvoicesHeader);
            await writer.WriteAsync("\r\n");
            var written = 0;
            Guid? lastInvoice = null;
            await foreach (var row in ProviderInvoiceStore.ExportAsync(scope, export.From, export.To).WithCancellation(cancellationToken))
            {
                if (export.Kind == InvoiceExportKind.Invoices)
                {
                    // Rows come one per line, ordered by invoice: the first row of each invoice stands for it.
                    if (row.InvoiceId == lastInvoice)
                    {
                        continue;
                    }

                    lastInvoice = row.InvoiceId;
                    await writer.WriteAsync(InvoiceCsv.ExportInvoiceRow(row).AsMemory(), cancellationToken);
                }
                else
                {
                    await writer.WriteAsync(InvoiceCsv.ExportLineRow(row).AsMemory(), cancellationToken);
                }

                if (++written % FlushEveryRows == 0)
                {
                    await writer.FlushAsync(cancellationToken);
                }
            }

            await writer.FlushAsync(cancellationToken);
            return written;
        }, cancellationToken);

    private static void CheckStatus(ValidationErrors errors, string? status)
    {
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            errors.Add("status", $"must be one of {string.Join(", ", Statuses)}.");
        }
    }

    private static ProviderInvoice ToInvoice(ProviderInvoiceRow row) => new(
        row.Id, row.TenantId, row.TenantName, row.TenantSlug, row.Number, row.Status, row.PeriodStart, row.PeriodEnd, row.Currency,
        Money.Of(row.Subtotal, row.Currency), Money.Of(row.DiscountTotal, row.Currency), Money.Of(row.TaxTotal, row.Currency),
        Money.Of(row.Total, row.Currency), Money.Of(row.CreditedTotal, row.Currency),
        Money.Of(InvoiceAmounts.Due(row.Status, row.Total, row.CreditedTotal), row.Currency), row.IssuedAt, row.DueAt, row.PaidAt, row.Overdue);
}
