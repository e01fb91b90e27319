using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Invoicing;

/// <summary>
/// The business's own invoices to its customers, drafted from completed visits. Lines: the counted lines of the
/// approved quote of each visit's job (once per quote: a quote another live invoice carries is not billed again) and,
/// with a labour rate, one labour line per visit (planned duration × technicians on it). Money follows billing: each
/// line rounded half away from zero to the currency's minor unit, tax applied once to the taxable lines. A visit is on
/// at most one live invoice; voiding releases its visits and quotes. Not the provider's billing of tenants (Core/Billing).
/// </summary>
public sealed class CustomerInvoiceService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    public const int MaxVisits = 50;

    public async Task<Result<CustomerInvoice>> DraftAsync(FieldActor actor, CustomerInvoiceInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var visitIds = input.VisitIds?.Distinct().ToList() ?? [];
        if (input.VisitIds is null || visitIds.Count == 0 || visitIds.Count > MaxVisits)
        {
            errors.Add("visitIds", $"is required: 1 to {MaxVisits} completed visits.");
        }

        decimal? rate = null;
        string? labourCurrency = null;
        if (input.LabourRate is not null)
        {
            rate = FieldOpsValidation.Amount(errors, "labourRate", input.LabourRate);
            labourCurrency = input.LabourRate.Currency;
            if (labourCurrency is not null && labourCurrency.Length == 3 && !Currencies.IsInvoiceable(labourCurrency))
            {
                errors.Add("labourRate.currency", "cannot be invoiced (three-decimal currencies are not supported).");
            }
        }

        if (input.TaxRate is { } taxRate && (taxRate < 0 || taxRate > 100 || decimal.Round(taxRate, 3) != taxRate))
        {
            errors.Add("taxRate", "is a percent from 0 to 100 with at most three decimals.");
        }

        if (input.DueInDays is { } due && (due < 0 || due > 365))
        {
            errors.Add("dueInDays", "is from 0 to 365.");
        }

        errors.MaxLength("notes", input.Notes, 4000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visits = await CustomerInvoiceStore.LockVisitsAsync(scope, visitIds);
            for (var i = 0; i < visitIds.Count; i++)
            {
                var visit = visits.FirstOrDefault(v => v.Id == visitIds[i]);
                if (visit is null)
                {
                    return (Result<CustomerInvoice>)Unprocessable($"visitIds[{i}]", "is not a visit of this business.");
                }

                if (visit.Status != VisitStatus.Completed)
                {
                    return Unprocessable($"visitIds[{i}]", $"is {visit.Status}: only completed visits are invoiced.");
                }

                if (visit.InvoiceId is { } other)
                {
                    return (Result<CustomerInvoice>)new Problem(ProblemKind.Conflict, $"Visit {visit.Id} is already on invoice {other}; void that invoice first.",
                        Extensions: new Dictionary<string, object?> { ["invoiceId"] = other, ["visitId"] = visit.Id });
                }
            }

            var customers = visits.Select(v => v.CustomerName.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (customers.Count > 1)
            {
                return Unprocessable("visitIds", $"belong to different customers ({string.Join(", ", customers)}): one invoice is for one customer.");
            }

            var quotes = await CustomerInvoiceStore.LockQuotesAsync(scope, [.. visits.Select(v => v.JobId).Distinct()]);
            var currencies = quotes.Select(q => q.Currency.Trim()).Append(labourCurrency).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (currencies.Count > 1)
            {
                return Unprocessable("labourRate.currency", $"differs from the quotes' currency: the lines would be in {string.Join(" and ", currencies)}.");
            }

            var lines = new List<StoredInvoiceLine>();
            foreach (var quote in quotes)
            {
                var quoteLines = JsonSerializer.Deserialize<List<StoredQuoteLine>>(quote.Lines, StreamFlowJson.Options) ?? [];
                lines.AddRange(quoteLines.Where(l => !l.Optional || l.Selected).Select(l => new StoredInvoiceLine(
                    "quote", $"{l.Description} (Q-{quote.Number} v{quote.Version})", l.Quantity, l.UnitPrice, l.Taxable, null, quote.Id)));
            }

            if (rate is { } hourly)
            {
                var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
                foreach (var visit in visits.OrderBy(v => v.Start).ThenBy(v => v.Id))
                {
                    var people = Math.Max(1, visit.Technicians);
                    var hours = decimal.Round(visit.DurationMinutes * people / 60m, 3, MidpointRounding.AwayFromZero);
                    var date = TimeZones.Local(visit.Start, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    lines.Add(new StoredInvoiceLine("labour",
                        $"Labour: {visit.JobTitle}, {date}, {people} technician{(people == 1 ? "" : "s")} × {visit.DurationMinutes} min", hours, hourly,
                        input.TaxLabour ?? true, visit.Id, null));
                }
            }

            if (lines.Count == 0)
            {
                return Unprocessable("labourRate", "is required here: no visit's job has an approved quote left to bill, so there is nothing to invoice.");
            }

            var currency = currencies.Single();
            var tax = input.TaxRate ?? quotes.Select(q => (decimal?)q.TaxRate).FirstOrDefault() ?? 0m;
            var priced = Price(lines, tax, currency);
            var now = timeProvider.GetUtcNow();
            var invoice = new StoredCustomerInvoice
            {
                Id = Guid.CreateVersion7(), Number = await CustomerInvoiceStore.NextNumberAsync(scope, actor.TenantId), Status = CustomerInvoiceStatus.Draft,
                CustomerName = customers[0], Currency = currency, TaxRate = tax, Lines = JsonSerializer.Serialize(lines, StreamFlowJson.Options),
                SubtotalMinor = priced.SubtotalMinor, TaxMinor = priced.TaxMinor, TotalMinor = priced.TotalMinor, Notes = input.Notes?.Trim(),
                DueOn = DateOnly.FromDateTime(now.UtcDateTime).AddDays(input.DueInDays ?? 30),
            };
            await CustomerInvoiceStore.InsertAsync(scope, actor.TenantId, invoice, visitIds, [.. quotes.Select(q => q.Id)], actor.Actor, now);
            return View((await CustomerInvoiceStore.FindAsync(scope, invoice.Id))!);
        }, cancellationToken);
    }

    public Task<Result<CustomerInvoice>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
            await CustomerInvoiceStore.FindAsync(scope, id) is { } invoice ? View(invoice) : (Result<CustomerInvoice>)Problem.NotFound("The invoice"),
            cancellationToken);

    public async Task<Result<CustomerInvoicePage>> ListAsync(FieldActor actor, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !CustomerInvoiceStatus.All.Contains(status))
        {
            return Problem.Validation("status", $"must be one of: {string.Join(", ", CustomerInvoiceStatus.All)}.");
        }

        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, scope => CustomerInvoiceStore.PageAsync(scope, status, before.Value, limit + 1), cancellationToken);
        return new CustomerInvoicePage([.. rows.Take(limit).Select(View)], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    /// <summary>draft → sent → paid, or void from draft or sent (the reason kept); any other move is a 409.</summary>
    public async Task<Result<CustomerInvoice>> ChangeStatusAsync(FieldActor actor, Guid id, CustomerInvoiceStatusChange change, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (change.Status is null || !CustomerInvoiceStatus.All.Contains(change.Status) || change.Status == CustomerInvoiceStatus.Draft)
        {
            errors.Add("status", "must be one of: sent, paid, void.");
        }

        errors.MaxLength("reason", change.Reason, 1000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var invoice = await CustomerInvoiceStore.LockAsync(scope, id);
            if (invoice is null)
            {
                return (Result<CustomerInvoice>)Problem.NotFound("The invoice");
            }

            if (!CustomerInvoiceStatus.CanMove(invoice.Status, change.Status!))
            {
                return Problem.Conflict($"An invoice cannot go from {invoice.Status} to {change.Status}.");
            }

            await CustomerInvoiceStore.MoveAsync(scope, id, invoice.Status, change.Status!, change.Reason?.Trim(), timeProvider.GetUtcNow());
            return View((await CustomerInvoiceStore.FindAsync(scope, id))!);
        }, cancellationToken);
    }

    internal static QuoteMath.Priced Price(IReadOnlyList<StoredInvoiceLine> lines, decimal taxRate, string currency) =>
        QuoteMath.Price([.. lines.Select(l => new StoredQuoteLine(l.Description, l.Quantity, l.UnitPrice, false, true, l.Taxable))], taxRate, currency);

    private static CustomerInvoice View(StoredCustomerInvoice i)
    {
        var currency = i.Currency.Trim();
        var lines = JsonSerializer.Deserialize<List<StoredInvoiceLine>>(i.Lines, StreamFlowJson.Options) ?? [];
        return new CustomerInvoice(
            i.Id, $"CI-{i.Number}", i.Status, i.CustomerName, currency, i.TaxRate,
            [.. lines.Select(l => new CustomerInvoiceLine(l.Kind, l.Description, l.Quantity, QuoteMath.Of(l.UnitPrice, currency),
                QuoteMath.Of(l.Quantity * l.UnitPrice, currency), l.Taxable, l.VisitId, l.QuoteId))],
            QuoteMath.OfMinor(i.SubtotalMinor, currency), QuoteMath.OfMinor(i.TaxMinor, currency), QuoteMath.OfMinor(i.TotalMinor, currency),
            i.VisitIds, i.Notes, i.DueOn, i.SentAt, i.PaidAt, i.VoidedAt, i.VoidReason, i.Version, i.CreatedAt, i.UpdatedAt);
    }

    private static Problem Unprocessable(string field, string message) =>
        new(ProblemKind.Unprocessable, $"{field} {message}", new Dictionary<string, string[]> { [field] = [message] });
}
