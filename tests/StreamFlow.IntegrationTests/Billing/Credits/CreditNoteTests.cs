using System.Text.Json;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Credits;
using StreamFlow.Core.Kernel;
using StreamFlow.Orchestrations.Billing;
using UglyToad.PdfPig;

namespace StreamFlow.IntegrationTests.Billing.Credits;

/// <summary>
/// Credit notes on the provider's billing of a business: account credit taken off the next invoice once (a repeated
/// run applies nothing again), never below zero, oldest first; invoice credit; the playbooks' yearly limit; the PDF,
/// the mail and the audit trail.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class CreditNoteTests(TestServices services) : IAsyncLifetime
{
    private const string Actor = "provider:billing@example.test";

    private BillingTestBed _bed = null!;

    private CreditNoteService CreditNotes => _bed.Get<CreditNoteService>();

    public async Task InitializeAsync() => _bed = await BillingTestBed.StartAsync(services);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Account_credit_comes_off_the_next_invoice_once_even_when_the_run_is_repeated()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var issued = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(10_000, "Goodwill for the October outage"), Actor, RequestOrigin.None, CancellationToken.None);
        Assert.True(issued.Succeeded, issued.Problem?.Detail);
        Assert.Equal(("account", "100.00", "USD", 10_000L), (issued.Value.Kind, issued.Value.Amount.Amount, issued.Value.Amount.Currency, issued.Value.AmountMinor));
        Assert.StartsWith("CN-", issued.Value.Number, StringComparison.Ordinal);
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, """
            SELECT count(*) FROM webhook_messages WHERE event_type = 'credit_note.issued' AND payload ->> 'number' = @Number
              AND payload ->> 'kind' = 'account' AND payload ->> 'invoiceId' IS NULL AND payload -> 'amount' ->> 'amount' = '100.00'
            """, new { issued.Value.Number }));

        var first = await _bed.RunNovemberAsync(tenant);
        await _bed.Client.PurgeInstanceAsync(first.InstanceId);
        var second = await _bed.RunNovemberAsync(tenant);

        var invoiceId = second.ReadOutputAs<BillingRunResult>()!.InvoiceId!.Value;
        var invoice = (await _bed.Database.InTenantAsync(tenant, scope => InvoiceStore.GetAsync(scope, invoiceId), CancellationToken.None))!;
        // 300.00 base fee + one owner seat at 30.00, less the 100.00 of credit.
        Assert.Equal(("330.00", "100.00", "230.00"), (invoice.Total.Amount, invoice.CreditedTotal.Amount, invoice.AmountDue.Amount));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM credit_note_applications"));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoice_events WHERE kind = 'account_credit_applied'"));
        var note = Assert.Single((await CreditNotes.ListAsync(tenant, forOwner: false, CancellationToken.None)).Value!.Items);
        Assert.Equal(("100.00", "0.00", invoice.Number), (note.Applied.Amount, note.Remaining.Amount, Assert.Single(note.Applications).InvoiceNumber));

        var mails = await BillingTestBed.MailsToAsync(owner);
        var invoiceMail = Assert.Single(mails, m => m.GetProperty("subject").GetString()!.StartsWith($"Invoice {invoice.Number}", StringComparison.Ordinal));
        Assert.Contains("230.00 USD", invoiceMail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        var creditMail = Assert.Single(mails, m => m.GetProperty("subject").GetString()!.StartsWith($"Credit note {note.Number}", StringComparison.Ordinal));
        Assert.Contains(creditMail.GetProperty("attachments").EnumerateArray(), a => a.GetProperty("contentType").GetString() == "application/pdf");
    }

    [Fact]
    public async Task Credit_larger_than_the_invoice_leaves_it_at_zero_oldest_credit_first_and_keeps_the_rest()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var older = (await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(50_000, "Migration credit"), Actor, RequestOrigin.None, CancellationToken.None)).Value!;
        _bed.Clock.Advance(TimeSpan.FromMinutes(1));
        var newer = (await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(1_000, "Late reply"), Actor, RequestOrigin.None, CancellationToken.None)).Value!;

        var run = await _bed.RunNovemberAsync(tenant);

        var invoiceId = run.ReadOutputAs<BillingRunResult>()!.InvoiceId!.Value;
        var invoice = (await _bed.Database.InTenantAsync(tenant, scope => InvoiceStore.GetAsync(scope, invoiceId), CancellationToken.None))!;
        Assert.Equal(("330.00", "330.00", "0.00"), (invoice.Total.Amount, invoice.CreditedTotal.Amount, invoice.AmountDue.Amount));
        var list = (await CreditNotes.ListAsync(tenant, forOwner: true, CancellationToken.None)).Value!;
        var byNumber = list.Items.ToDictionary(n => n.Number);
        Assert.Equal(("330.00", "170.00"), (byNumber[older.Number].Applied.Amount, byNumber[older.Number].Remaining.Amount));
        Assert.Equal(("0.00", "10.00"), (byNumber[newer.Number].Applied.Amount, byNumber[newer.Number].Remaining.Amount));
        Assert.Equal([new Money("180.00", "USD")], list.OpenCredit);
        Assert.All(list.Items, n => Assert.Equal("provider", n.IssuedBy));
    }

    [Fact]
    public async Task A_credit_note_against_an_invoice_lowers_what_is_owed_and_its_pdf_says_so()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var invoiceId = (await _bed.RunNovemberAsync(tenant)).ReadOutputAs<BillingRunResult>()!.InvoiceId!.Value;

        var issued = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(2_550, "Seat billed twice", invoiceId), Actor, RequestOrigin.None, CancellationToken.None);
        var tooMuch = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(40_000, "Too much", invoiceId), Actor, RequestOrigin.None, CancellationToken.None);

        Assert.True(issued.Succeeded, issued.Problem?.Detail);
        Assert.Equal(("invoice", invoiceId, "25.50"), (issued.Value.Kind, issued.Value.InvoiceId!.Value, issued.Value.Amount.Amount));
        Assert.Equal(ProblemKind.Conflict, tooMuch.Problem!.Kind);
        var invoice = (await _bed.Database.InTenantAsync(tenant, scope => InvoiceStore.GetAsync(scope, invoiceId), CancellationToken.None))!;
        Assert.Equal("304.50", invoice.AmountDue.Amount);
        var pdf = await CreditNotes.PdfAsync(tenant, issued.Value.Id, CancellationToken.None);
        using var document = PdfDocument.Open(pdf.Value!.Content);
        var text = string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        foreach (var expected in new[] { "CREDIT", issued.Value.Number, invoice.Number!, "25.50", "Seat", "twice" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        var audited = await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM audit_log WHERE action = 'billing.credit_note.issued' AND actor = @Actor", new { Actor });
        Assert.Equal(1, audited);
    }

    [Fact]
    public async Task The_playbook_offer_is_refused_and_audited_above_its_yearly_limit_and_in_another_currency()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var playbook = $"playbook:{Guid.NewGuid()}";

        var first = await CreditNotes.OfferWithinLimitAsync(tenant, 6_000, "USD", 10_000, "We value you", playbook, CancellationToken.None);
        var second = await CreditNotes.OfferWithinLimitAsync(tenant, 6_000, "USD", 10_000, "We value you", playbook, CancellationToken.None);
        var euros = await CreditNotes.OfferWithinLimitAsync(tenant, 1_000, "EUR", 10_000, "We value you", playbook, CancellationToken.None);
        var byHand = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(9_000, "Provider's own decision"), Actor, RequestOrigin.None, CancellationToken.None);
        var withinWhatIsLeft = await CreditNotes.OfferWithinLimitAsync(tenant, 4_000, "USD", 10_000, "We value you", playbook, CancellationToken.None);

        Assert.True(first.Succeeded, first.Problem?.Detail);
        Assert.Equal(ProblemKind.Conflict, second.Problem!.Kind);
        Assert.Contains("yearly limit", second.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(ProblemKind.Conflict, euros.Problem!.Kind);
        Assert.True(byHand.Succeeded);
        // The limit counts what the playbooks gave, not the provider's own credit notes.
        Assert.True(withinWhatIsLeft.Succeeded, withinWhatIsLeft.Problem?.Detail);
        Assert.Equal(3, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM credit_notes"));
        Assert.Equal(2, await _bed.InTenantAsync<long>(tenant,
            "SELECT count(*) FROM audit_log WHERE action = 'billing.credit_note.refused' AND outcome = @Refused AND actor = @Playbook",
            new { Refused = AuditOutcome.Refused, Playbook = playbook }));
    }

    [Fact]
    public async Task Bad_input_names_the_fields_and_a_business_without_a_price_has_nothing_to_credit()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();

        var invalid = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(0, " "), Actor, RequestOrigin.None, CancellationToken.None);
        var missing = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(null, "x"), Actor, RequestOrigin.None, CancellationToken.None);
        var unpriced = await CreditNotes.IssueAsync(tenant, new IssueAccountCreditRequest(100, "Goodwill"), Actor, RequestOrigin.None, CancellationToken.None);
        var unknown = await CreditNotes.IssueAsync(Guid.NewGuid(), new IssueAccountCreditRequest(100, "Goodwill"), Actor, RequestOrigin.None, CancellationToken.None);

        Assert.Equal(["amountMinor", "reason"], invalid.Problem!.Errors!.Keys.Order());
        Assert.Equal(["amountMinor"], missing.Problem!.Errors!.Keys);
        Assert.Equal(ProblemKind.Conflict, unpriced.Problem!.Kind);
        Assert.Equal(ProblemKind.NotFound, unknown.Problem!.Kind);
    }
}
