using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Stripe;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>Stripe's invoice events applied to our invoices through StripeWebhookService, over the real database.</summary>
[Collection(ServicesCollection.Name)]
public sealed class StripeWebhookTests(TestServices services)
{
    [Fact]
    public async Task Invoice_paid_marks_the_invoice_paid_and_queues_invoice_paid_in_the_same_transaction()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);
        var paidAt = DateTimeOffset.UtcNow.AddMinutes(-3);

        var outcome = await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.paid", client.TenantId, invoice.Id, stripeId, paidAt: paidAt));

        Assert.Equal(StripeWebhookOutcome.Processed, outcome.Value!.Outcome);
        var paid = (await host.InvoiceAsync(client.TenantId, invoice.Id))!;
        Assert.Equal(InvoiceStatus.Paid, paid.Status);
        Assert.Equal(paidAt.ToUnixTimeSeconds(), paid.PaidAt!.Value.ToUnixTimeSeconds());
        Assert.Equal(stripeId, paid.PaymentReference);
        Assert.Equal(1, await host.OutboxCountAsync(client.TenantId, "invoice.paid", invoice.Id));
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "paid"));
    }

    [Fact]
    public async Task A_redelivered_event_is_handled_once()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);
        var payload = StripeEvents.InvoiceEvent("invoice.paid", client.TenantId, invoice.Id, stripeId);

        await DeliverAsync(host, payload);
        var again = await DeliverAsync(host, payload);

        Assert.Equal(StripeWebhookOutcome.Duplicate, again.Value!.Outcome);
        Assert.Equal(1, await host.OutboxCountAsync(client.TenantId, "invoice.paid", invoice.Id));
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "paid"));
    }

    [Fact]
    public async Task Payment_succeeded_after_paid_for_the_same_payment_changes_nothing()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);

        await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.paid", client.TenantId, invoice.Id, stripeId));
        var second = await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.payment_succeeded", client.TenantId, invoice.Id, stripeId));

        Assert.Equal(StripeWebhookOutcome.Ignored, second.Value!.Outcome);
        Assert.Equal(1, await host.OutboxCountAsync(client.TenantId, "invoice.paid", invoice.Id));
    }

    [Fact]
    public async Task Payment_failed_marks_the_invoice_and_records_the_attempt()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);

        await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.payment_failed", client.TenantId, invoice.Id, stripeId));

        Assert.Equal(InvoiceStatus.PaymentFailed, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "payment_failed"));
    }

    [Theory]
    [InlineData("invoice.voided", InvoiceStatus.Void, "voided")]
    [InlineData("invoice.marked_uncollectible", InvoiceStatus.Uncollectible, "marked_uncollectible")]
    public async Task Voided_and_uncollectible_invoices_follow_stripe(string eventType, string status, string eventKind)
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);

        await DeliverAsync(host, StripeEvents.InvoiceEvent(eventType, client.TenantId, invoice.Id, stripeId));

        Assert.Equal(status, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, eventKind));
    }

    [Fact]
    public async Task A_bad_signature_is_refused_and_changes_nothing()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);
        var eventId = $"evt_{Guid.NewGuid():N}";
        var payload = StripeEvents.InvoiceEvent("invoice.paid", client.TenantId, invoice.Id, stripeId, eventId);

        var refused = await host.Webhooks.HandleAsync(payload, StripeEvents.Sign(payload, "whsec_not_ours", host.Time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(ProblemKind.Validation, refused.Problem!.Kind);
        Assert.Equal(InvoiceStatus.Open, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
        Assert.Equal(0, await host.ScalarAsync<long>(client.TenantId, "SELECT count(*) FROM stripe_webhook_events WHERE event_id = @eventId", new { eventId }));
    }

    [Fact]
    public async Task An_event_naming_another_stripe_invoice_is_ignored()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, _) = await SubmittedInvoiceAsync(host);

        var outcome = await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.paid", client.TenantId, invoice.Id, $"in_{Guid.NewGuid():N}"));

        Assert.Equal(StripeWebhookOutcome.Ignored, outcome.Value!.Outcome);
        Assert.Equal(InvoiceStatus.Open, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
    }

    [Fact]
    public async Task An_event_naming_another_clients_invoice_is_ignored()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);
        var other = await host.CreateClientAsync();

        var outcome = await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.paid", other.TenantId, invoice.Id, stripeId));

        Assert.Equal(StripeWebhookOutcome.Ignored, outcome.Value!.Outcome);
        Assert.Equal(InvoiceStatus.Open, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
    }

    [Fact]
    public async Task Event_types_not_handled_here_are_acknowledged_and_ignored()
    {
        await using var host = PaymentsTestHost.Start(services);
        var (client, invoice, stripeId) = await SubmittedInvoiceAsync(host);

        var outcome = await DeliverAsync(host, StripeEvents.InvoiceEvent("invoice.upcoming", client.TenantId, invoice.Id, stripeId));

        Assert.True(outcome.Succeeded);
        Assert.Equal(StripeWebhookOutcome.Ignored, outcome.Value.Outcome);
        Assert.Equal(InvoiceStatus.Open, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.Status);
    }

    private static Task<Result<StripeWebhookOutcome>> DeliverAsync(PaymentsTestHost host, byte[] payload) =>
        host.Webhooks.HandleAsync(payload, StripeEvents.Sign(payload, PaymentsTestHost.WebhookSecret, host.Time.GetUtcNow()), CancellationToken.None);

    // An open invoice that was sent through Stripe: its stripe_invoice_id is set, as the gateway leaves it.
    private static async Task<(TestClient Client, TestInvoice Invoice, string StripeInvoiceId)> SubmittedInvoiceAsync(PaymentsTestHost host)
    {
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        var stripeId = $"in_{Guid.NewGuid():N}";
        await host.ScalarAsync<int>(client.TenantId, "UPDATE invoices SET stripe_invoice_id = @stripeId WHERE id = @Id", new { stripeId, invoice.Id });
        return (client, invoice, stripeId);
    }
}
