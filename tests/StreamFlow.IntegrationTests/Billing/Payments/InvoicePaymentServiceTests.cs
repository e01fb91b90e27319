using System.Text.RegularExpressions;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>The provider's mark-paid, credit notes and void on one client's finalized invoice.</summary>
[Collection(ServicesCollection.Name)]
public sealed partial class InvoicePaymentServiceTests(TestServices services)
{
    private const string Actor = "provider:billing@example.test";

    [Fact]
    public async Task Mark_paid_records_the_reference_and_queues_invoice_paid()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        var paidAt = host.Time.GetUtcNow().AddDays(-1);

        var paid = await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(paidAt, "WIRE-2026-11-0042"), Actor, CancellationToken.None);

        Assert.Equal(InvoiceStatus.Paid, paid.Value!.Status);
        Assert.Equal("WIRE-2026-11-0042", paid.Value.PaymentReference);
        Assert.Equal("0.00", paid.Value.AmountDue.Amount);
        Assert.Equal(1, await host.OutboxCountAsync(client.TenantId, "invoice.paid", invoice.Id));
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "paid"));
    }

    [Fact]
    public async Task Mark_paid_twice_is_a_conflict()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-1"), Actor, CancellationToken.None);

        var again = await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-1"), Actor, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, again.Problem!.Kind);
        Assert.Equal(1, await host.OutboxCountAsync(client.TenantId, "invoice.paid", invoice.Id));
    }

    [Fact]
    public async Task A_void_invoice_cannot_be_paid()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        Assert.True((await host.Payments.VoidAsync(client.TenantId, invoice.Id, Actor, CancellationToken.None)).Succeeded);

        var paid = await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-2"), Actor, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, paid.Problem!.Kind);
        Assert.Equal(InvoiceStatus.Void, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
    }

    [Fact]
    public async Task Another_clients_invoice_is_not_found()
    {
        await using var host = PaymentsTestHost.Start(services);
        var owner = await host.CreateClientAsync();
        var other = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(owner.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var paid = await host.Payments.MarkPaidAsync(other.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-3"), Actor, CancellationToken.None);
        var credited = await host.Payments.IssueCreditNoteAsync(other.TenantId, invoice.Id, new IssueCreditNoteRequest(1m, "goodwill"), Actor, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, paid.Problem!.Kind);
        Assert.Equal(ProblemKind.NotFound, credited.Problem!.Kind);
        Assert.Equal(InvoiceStatus.Open, (await host.InvoiceAsync(owner.TenantId, invoice.Id))!.Status);
    }

    [Fact]
    public async Task A_payment_date_in_the_future_is_invalid()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var paid = await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id,
            new MarkInvoicePaidRequest(host.Time.GetUtcNow().AddDays(1), "WIRE-9"), Actor, CancellationToken.None);

        Assert.Equal(["paidAt"], paid.Problem!.Errors!.Keys);
    }

    [Fact]
    public async Task A_credit_note_is_numbered_and_lowers_what_is_owed()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14), 0m, "USD", ("base_fee", 200m));

        var first = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(50m, "Outage on the 3rd"), Actor, CancellationToken.None);
        var second = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(25.25m, "Seat billed twice"), Actor, CancellationToken.None);

        Assert.Matches(CreditNoteNumber(), first.Value!.CreditNote.Number);
        Assert.Equal(Sequence(first.Value.CreditNote.Number) + 1, Sequence(second.Value!.CreditNote.Number));
        Assert.Equal("75.25", second.Value.Invoice.CreditedTotal.Amount);
        Assert.Equal("124.75", second.Value.Invoice.AmountDue.Amount);
        Assert.Equal(2, await host.EventCountAsync(client.TenantId, invoice.Id, "credit_note_issued"));
        Assert.Equal(2, await host.ScalarAsync<long>(client.TenantId, "SELECT count(*) FROM credit_notes WHERE invoice_id = @Id", new { invoice.Id }));
        Assert.Equal(2, await host.OutboxCountAsync(client.TenantId, "credit_note.issued", invoice.Id));
        var queued = await host.ScalarAsync<string>(client.TenantId,
            "SELECT payload::text FROM webhook_messages WHERE event_type = 'credit_note.issued' AND payload ->> 'number' = @Number", new { first.Value.CreditNote.Number });
        using var data = System.Text.Json.JsonDocument.Parse(queued);
        Assert.Equal(("invoice", invoice.Number, "50.00", "provider"), (data.RootElement.GetProperty("kind").GetString(), data.RootElement.GetProperty("invoiceNumber").GetString(),
            data.RootElement.GetProperty("amount").GetProperty("amount").GetString(), data.RootElement.GetProperty("issuedBy").GetString()));
    }

    [Fact]
    public async Task Crediting_more_than_remains_is_a_conflict_and_takes_no_number()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14), 0m, "USD", ("base_fee", 100m));
        var first = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(60m, "Partial refund"), Actor, CancellationToken.None);

        var tooMuch = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(40.01m, "More"), Actor, CancellationToken.None);
        var rest = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(40m, "The rest"), Actor, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, tooMuch.Problem!.Kind);
        Assert.Equal(Sequence(first.Value!.CreditNote.Number) + 1, Sequence(rest.Value!.CreditNote.Number));
        Assert.Equal("100.00", rest.Value.Invoice.CreditedTotal.Amount);
    }

    [Fact]
    public async Task A_paid_invoice_cannot_be_voided()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-4"), Actor, CancellationToken.None);

        var voided = await host.Payments.VoidAsync(client.TenantId, invoice.Id, Actor, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, voided.Problem!.Kind);
    }

    [Fact]
    public async Task Marking_a_stripe_invoice_paid_marks_it_paid_out_of_band_in_stripe()
    {
        using var stripe = new FakeStripe();
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "WIRE-77"), Actor, CancellationToken.None);

        var pay = stripe.Posts($"/v1/invoices/{stripe.InvoiceId}/pay").Single();
        Assert.Equal("true", pay.Form["paid_out_of_band"]);
        Assert.Equal($"paid-out-of-band-{invoice.Id}", pay.IdempotencyKey);
    }

    [Fact]
    public async Task A_credit_note_on_a_stripe_invoice_lowers_what_stripe_asks_for()
    {
        using var stripe = new FakeStripe();
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        var issued = await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(19.99m, "Outage"), Actor, CancellationToken.None);

        var credit = stripe.Posts("/v1/credit_notes").Single();
        Assert.Equal(stripe.InvoiceId, credit.Form["invoice"]);
        Assert.Equal("1999", credit.Form["amount"]);
        Assert.Equal($"creditnote-{issued.Value!.CreditNote.Id}", credit.IdempotencyKey);
    }

    [Fact]
    public async Task Credit_issued_before_submission_is_deducted_from_the_stripe_invoice()
    {
        using var stripe = new FakeStripe();
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14), 0m, "USD", ("base_fee", 300m));
        await host.Payments.IssueCreditNoteAsync(client.TenantId, invoice.Id, new IssueCreditNoteRequest(45m, "Promised discount"), Actor, CancellationToken.None);

        await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        Assert.Equal(["30000", "-4500"], stripe.Posts("/v1/invoiceitems").Select(i => i.Form["amount"]));
        Assert.Empty(stripe.Posts("/v1/credit_notes"));
    }

    private static long Sequence(string number) => long.Parse(number["CN-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^CN-[0-9]{6,}$")]
    private static partial Regex CreditNoteNumber();
}
