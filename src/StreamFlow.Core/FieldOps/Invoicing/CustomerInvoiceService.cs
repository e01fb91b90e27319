using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.FieldOps.TimeClock;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.Invoicing;

/// <summary>
/// The business's own invoices to its customers, drafted from completed visits. Lines: the counted lines of the
/// approved quote of each visit's job (once per quote: a quote another live invoice carries is not billed again) and,
/// with a labour rate, one labour line per visit: the time its visit timers measured, else the planned duration ×
/// technicians on it. Money follows billing: each line rounded half away from zero to the currency's minor unit, tax
/// applied once to the taxable lines. A visit is on at most one live invoice; voiding releases its visits and quotes.
/// Sent to the customer as a PDF by email; payments recorded against it (partial ones add up) until it is paid.
/// Not the provider's billing of tenants (Core/Billing).
/// </summary>
public sealed class CustomerInvoiceService(
    StreamFlowDatabase database,
    WebhookOutbox outbox,
    EmailSender email,
    Branding.BrandResolver brands,
    TimeProvider timeProvider,
    ILogger<CustomerInvoiceService> logger)
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
                var measured = VisitTimers.Measured(await TimeClockStore.VisitTimersAsync(scope, visitIds));
                foreach (var visit in visits.OrderBy(v => v.Start).ThenBy(v => v.Id))
                {
                    lines.Add(LabourLine(visit, measured.GetValueOrDefault(visit.Id), hourly, input.TaxLabour ?? true, zone));
                }
            }

            if (lines.Count == 0)
            {
                return Unprocessable("labourRate", "is required here: no visit's job has an approved quote left to bill, so there is nothing to invoice.");
            }

            var currency = currencies.Single();
            var tax = input.TaxRate ?? quotes.Select(q => (decimal?)q.TaxRate).FirstOrDefault() ?? 0m;
            var priced = Price(lines, tax, currency);
            var deposits = Math.Min(await QuoteDepositStore.PaidOnAsync(scope, [.. quotes.Select(q => q.Id)]), priced.TotalMinor);
            var now = timeProvider.GetUtcNow();
            var invoice = new StoredCustomerInvoice
            {
                Id = Guid.CreateVersion7(), Number = await CustomerInvoiceStore.NextNumberAsync(scope, actor.TenantId), Status = CustomerInvoiceStatus.Draft,
                CustomerName = customers[0], Currency = currency, TaxRate = tax, Lines = JsonSerializer.Serialize(lines, StreamFlowJson.Options),
                SubtotalMinor = priced.SubtotalMinor, TaxMinor = priced.TaxMinor, TotalMinor = priced.TotalMinor, Notes = input.Notes?.Trim(),
                DueOn = DateOnly.FromDateTime(now.UtcDateTime).AddDays(input.DueInDays ?? 30), DepositAppliedMinor = deposits, PaidMinor = deposits,
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
            var moved = View((await CustomerInvoiceStore.FindAsync(scope, id))!);
            if (moved.Status == CustomerInvoiceStatus.Paid)
            {
                await PaidEventAsync(scope, actor.TenantId, moved, "status");
            }

            return moved;
        }, cancellationToken);
    }

    /// <summary>The invoice as a PDF under the business's brand name, for the office to print or attach.</summary>
    public async Task<Result<byte[]>> PdfAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var (invoice, business) = await database.InTenantAsync(actor.TenantId, async scope =>
            (await CustomerInvoiceStore.FindAsync(scope, id), await QuoteStore.BusinessNameAsync(scope, actor.TenantId) ?? ""), cancellationToken);
        return invoice is null
            ? Problem.NotFound("The invoice")
            : CustomerInvoicePdf.Render(View(invoice), await brands.DocumentNameAsync(actor.TenantId, business, cancellationToken));
    }

    /// <summary>
    /// Mails the invoice, PDF attached, to the address given, else the one it went to before, else the customer email of
    /// the approved quote of its jobs; a draft becomes sent, a sent invoice is sent again. The mail is handed to the server
    /// before anything is recorded: when it refuses, nothing changes and the answer is 503.
    /// </summary>
    public async Task<Result<CustomerInvoice>> SendAsync(FieldActor actor, Guid id, CustomerInvoiceSendInput input, CancellationToken cancellationToken)
    {
        if (input.Email is { } given && (given.Length > 320 || !QuoteRules.IsEmail(given)))
        {
            return Problem.Validation("email", "is not an email address.");
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var invoice = await CustomerInvoiceStore.LockAsync(scope, id);
            if (invoice is null)
            {
                return (Result<CustomerInvoice>)Problem.NotFound("The invoice");
            }

            if (invoice.Status is not (CustomerInvoiceStatus.Draft or CustomerInvoiceStatus.Sent))
            {
                return Problem.Conflict($"Invoice CI-{invoice.Number} is {invoice.Status} and cannot be sent.");
            }

            if ((input.Email?.Trim() ?? invoice.SentTo ?? await CustomerInvoiceStore.CustomerEmailAsync(scope, id)) is not { } to)
            {
                return Problem.Validation("email", "is required: the invoice's jobs have no approved quote with a customer email.");
            }

            var now = timeProvider.GetUtcNow();
            var business = await brands.DocumentNameAsync(actor.TenantId, await QuoteStore.BusinessNameAsync(scope, actor.TenantId) ?? "Your contractor", cancellationToken);
            var view = View(invoice);
            try
            {
                await email.SendAsync(CustomerInvoiceEmail.Compose(actor.TenantId, to, view, business, CustomerInvoicePdf.Render(view, business)), scope.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning("The mail server refused customer invoice {InvoiceId}: {Error}", id, exception.GetType().Name);
                return new Problem(ProblemKind.Unavailable, "The mail server did not accept the invoice; nothing was sent or changed.", RetryAfter: TimeSpan.FromSeconds(30));
            }

            await CustomerInvoiceStore.MarkSentAsync(scope, id, to, now);
            return View((await CustomerInvoiceStore.FindAsync(scope, id))!);
        }, cancellationToken);
    }

    /// <summary>
    /// Records a payment received against a sent invoice. The client's payment id makes a repeat harmless (the first
    /// answer again); the same id with other figures is a 409. Partial payments add up; more than the balance due is a 422;
    /// the payment that settles the invoice makes it paid and sends <c>customer_invoice.paid</c>.
    /// </summary>
    public async Task<Result<CustomerInvoicePaymentRecorded>> RecordPaymentAsync(
        FieldActor actor, Guid id, CustomerInvoicePaymentInput input, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (PaymentRules.Check(input.PaymentId, input.AmountMinor, input.Method, input.PaidAt, input.Reference, now) is { } invalid)
        {
            return invalid;
        }

        var paid = (CustomerInvoice?)null;
        var result = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var invoice = await CustomerInvoiceStore.LockAsync(scope, id);
            if (invoice is null)
            {
                return (Result<CustomerInvoicePaymentRecorded>)Problem.NotFound("The invoice");
            }

            var reference = PaymentRules.Reference(input.Reference);
            if (await CustomerInvoiceStore.FindPaymentAsync(scope, input.PaymentId!.Value) is { } known)
            {
                return known.InvoiceId == id && known.AmountMinor == input.AmountMinor && known.Method == input.Method
                       && known.PaidAt == input.PaidAt!.Value && known.Reference == reference
                    ? new CustomerInvoicePaymentRecorded(Payment(known, invoice.Currency.Trim()), View(invoice), true)
                    : new Problem(ProblemKind.Conflict, $"Payment {known.PaymentId} was already recorded with other figures or on another invoice; a new payment needs a new paymentId.",
                        new Dictionary<string, string[]> { ["paymentId"] = ["is already the id of another payment."] });
            }

            if (invoice.Status != CustomerInvoiceStatus.Sent && invoice.Status != CustomerInvoiceStatus.Paid)
            {
                return Problem.Conflict(invoice.Status == CustomerInvoiceStatus.Draft
                    ? $"Invoice CI-{invoice.Number} is a draft: send it before recording payments."
                    : $"Invoice CI-{invoice.Number} is void: it takes no payments.");
            }

            var currency = invoice.Currency.Trim();
            var balance = invoice.TotalMinor - invoice.PaidMinor;
            if (input.AmountMinor > balance)
            {
                var due = QuoteMath.OfMinor(balance, currency);
                return new Problem(ProblemKind.Unprocessable,
                    $"amountMinor {input.AmountMinor} is more than the balance due of {due.Amount} {currency} ({balance} minor units): overpayments are not recorded.",
                    new Dictionary<string, string[]> { ["amountMinor"] = [$"is more than the balance due ({balance})."] },
                    Extensions: new Dictionary<string, object?> { ["balanceDueMinor"] = balance });
            }

            var payment = new StoredPayment(input.PaymentId.Value, id, input.AmountMinor!.Value, input.Method!, input.PaidAt!.Value, reference, actor.Actor, now);
            if (await CustomerInvoiceStore.AddPaymentAsync(scope, actor.TenantId, payment, now) is not { } status)
            {
                return Problem.Conflict($"Payment {payment.PaymentId} was recorded by another request meanwhile; send it again to read it.");
            }

            var after = View((await CustomerInvoiceStore.FindAsync(scope, id))!);
            if (status == CustomerInvoiceStatus.Paid)
            {
                await PaidEventAsync(scope, actor.TenantId, after, "payments");
                paid = after;
            }

            return new CustomerInvoicePaymentRecorded(Payment(payment, currency), after, false);
        }, cancellationToken);
        if (paid is not null)
        {
            logger.LogInformation("Customer invoice {InvoiceId} paid in full", paid.Id);
        }

        return result;
    }

    private Task PaidEventAsync(DbTransactionScope scope, Guid tenantId, CustomerInvoice invoice, string settledBy) =>
        outbox.AddAsync(scope, tenantId, WebhookEventCatalog.CustomerInvoicePaid, new
        {
            InvoiceId = invoice.Id, invoice.Number, invoice.Total, invoice.AmountPaid, Payments = invoice.Payments.Count, invoice.PaidAt, SettledBy = settledBy,
        }, scope.CancellationToken);

    // Measured time (the visit timers, summed over its technicians) when there is some; else planned duration × technicians.
    private static StoredInvoiceLine LabourLine(InvoiceableVisit visit, TimeSpan measured, decimal hourly, bool taxable, TimeZoneInfo zone)
    {
        var date = TimeZones.Local(visit.Start, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (measured > TimeSpan.Zero)
        {
            var minutes = (int)Math.Round(measured.TotalMinutes, MidpointRounding.AwayFromZero);
            return new StoredInvoiceLine("labour", $"Labour {minutes} min measured: {visit.JobTitle}, {date}",
                decimal.Round((decimal)measured.TotalHours, 3, MidpointRounding.AwayFromZero), hourly, taxable, visit.Id, null, LabourBasis.Measured);
        }

        var people = Math.Max(1, visit.Technicians);
        var hours = decimal.Round(visit.DurationMinutes * people / 60m, 3, MidpointRounding.AwayFromZero);
        return new StoredInvoiceLine("labour",
            $"Labour {people} × {visit.DurationMinutes} min planned: {visit.JobTitle}, {date}", hours, hourly,
            taxable, visit.Id, null, LabourBasis.Planned);
    }

    private static CustomerInvoicePayment Payment(StoredPayment p, string currency) =>
        new(p.PaymentId, QuoteMath.OfMinor(p.AmountMinor, currency), p.AmountMinor, p.Method, p.PaidAt, p.Reference, p.RecordedBy, p.RecordedAt);

    internal static QuoteMath.Priced Price(IReadOnlyList<StoredInvoiceLine> lines, decimal taxRate, string currency) =>
        QuoteMath.Price([.. lines.Select(l => new StoredQuoteLine(l.Description, l.Quantity, l.UnitPrice, false, true, l.Taxable))], taxRate, currency);

    internal static CustomerInvoice View(StoredCustomerInvoice i)
    {
        var currency = i.Currency.Trim();
        var lines = JsonSerializer.Deserialize<List<StoredInvoiceLine>>(i.Lines, StreamFlowJson.Options) ?? [];
        return new CustomerInvoice(
            i.Id, $"CI-{i.Number}", i.Status, i.CustomerName, currency, i.TaxRate,
            [.. lines.Select(l => new CustomerInvoiceLine(l.Kind, l.Description, l.Quantity, QuoteMath.Of(l.UnitPrice, currency),
                QuoteMath.Of(l.Quantity * l.UnitPrice, currency), l.Taxable, l.VisitId, l.QuoteId, l.Basis))],
            QuoteMath.OfMinor(i.SubtotalMinor, currency), QuoteMath.OfMinor(i.TaxMinor, currency), QuoteMath.OfMinor(i.TotalMinor, currency),
            i.VisitIds, i.Notes, i.DueOn, i.SentAt, i.PaidAt, i.VoidedAt, i.VoidReason, i.Version, i.CreatedAt, i.UpdatedAt,
            i.SentTo, QuoteMath.OfMinor(i.DepositAppliedMinor, currency), QuoteMath.OfMinor(i.PaidMinor, currency), QuoteMath.OfMinor(Math.Max(0, i.TotalMinor - i.PaidMinor), currency),
            [.. (JsonSerializer.Deserialize<List<StoredPayment>>(i.Payments, StreamFlowJson.Options) ?? []).Select(p => Payment(p, currency))]);
    }

    internal static class LabourBasis
    {
        public const string Measured = "measured";
        public const string Planned = "planned";
    }

    private static Problem Unprocessable(string field, string message) =>
        new(ProblemKind.Unprocessable, $"{field} {message}", new Dictionary<string, string[]> { [field] = [message] });
}
