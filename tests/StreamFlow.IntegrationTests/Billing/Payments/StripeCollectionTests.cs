using Stripe;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>Finalized invoices handed to Stripe through Stripe.net, against a local fake of the Stripe API.</summary>
[Collection(ServicesCollection.Name)]
public sealed class StripeCollectionTests(TestServices services)
{
    [Fact]
    public async Task Submit_creates_the_customer_the_invoice_its_items_then_finalizes_and_sends_it()
    {
        using var stripe = new FakeStripe();
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14), 12.40m, "USD",
            ("base_fee", 149m), ("seats", 30.50m), ("discount", -24.50m));

        var collection = await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        Assert.Equal([
            "POST /v1/customers", "POST /v1/invoices", "POST /v1/invoiceitems", "POST /v1/invoiceitems", "POST /v1/invoiceitems", "POST /v1/invoiceitems",
            $"POST /v1/invoices/{stripe.InvoiceId}/finalize", $"POST /v1/invoices/{stripe.InvoiceId}/send"],
            stripe.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal([
            $"customer-{client.TenantId}", $"invoice-{invoice.Id}",
            $"invoiceitem-{invoice.Id}-1", $"invoiceitem-{invoice.Id}-2", $"invoiceitem-{invoice.Id}-3", $"invoiceitem-{invoice.Id}-tax",
            $"finalize-{invoice.Id}", $"send-{invoice.Id}"],
            stripe.Requests.Select(r => r.IdempotencyKey));

        var customer = stripe.Posts("/v1/customers").Single().Form;
        Assert.Equal(client.TenantId.ToString(), customer["metadata[tenant_id]"]);
        Assert.Equal(client.OwnerEmail, customer["email"]);
        Assert.Equal(client.Name, customer["name"]);

        var created = stripe.Posts("/v1/invoices").Single().Form;
        Assert.Equal(stripe.CustomerId, created["customer"]);
        Assert.Equal("usd", created["currency"]);
        Assert.Equal("send_invoice", created["collection_method"]);
        Assert.Equal("14", created["days_until_due"]);
        Assert.Equal("false", created["auto_advance"]);
        Assert.Equal("exclude", created["pending_invoice_items_behavior"]);
        Assert.Equal(client.TenantId.ToString(), created["metadata[tenant_id]"]);
        Assert.Equal(invoice.Id.ToString(), created["metadata[invoice_id]"]);
        Assert.Equal(invoice.Number, created["metadata[number]"]);

        var items = stripe.Posts("/v1/invoiceitems").Select(r => r.Form).ToList();
        Assert.Equal(["14900", "3050", "-2450", "1240"], items.Select(i => i["amount"]));
        Assert.All(items, item =>
        {
            Assert.Equal("usd", item["currency"]);
            Assert.Equal(stripe.InvoiceId, item["invoice"]);
            Assert.Equal(stripe.CustomerId, item["customer"]);
        });
        Assert.Equal("false", stripe.Posts($"/v1/invoices/{stripe.InvoiceId}/finalize").Single().Form["auto_advance"]);

        Assert.Equal(new InvoiceCollection(true, stripe.InvoiceId, stripe.HostedInvoiceUrl), collection);
        Assert.Equal(stripe.InvoiceId, (await host.InvoiceAsync(client.TenantId, invoice.Id))!.StripeInvoiceId);
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "stripe_submitted"));
        Assert.Equal(stripe.CustomerId, await host.ScalarAsync<string>(client.TenantId, "SELECT stripe_customer_id FROM billing_stripe_customers"));
    }

    [Fact]
    public async Task A_submit_repeated_after_a_crash_resends_the_same_idempotency_keys_and_creates_one_customer_and_invoice()
    {
        using var stripe = new FakeStripe();
        stripe.FailsOnce($"/v1/invoices/{stripe.InvoiceId}/finalize", 500);
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14), 0m, "USD", ("base_fee", 99m), ("seats", 20m));

        await Assert.ThrowsAsync<StripeException>(() => host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None));
        var firstAttempt = stripe.Requests.Count;
        var collection = await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);
        var third = await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        Assert.Single(stripe.Posts("/v1/customers"));
        Assert.Single(stripe.Posts("/v1/invoices"));
        var items = stripe.Posts("/v1/invoiceitems");
        Assert.Equal(4, items.Count);
        Assert.Equal(items.Take(2).Select(i => i.IdempotencyKey), items.Skip(2).Select(i => i.IdempotencyKey));
        Assert.Equal(items.Take(2).Select(i => i.Form["amount"]), items.Skip(2).Select(i => i.Form["amount"]));
        var finalizes = stripe.Posts($"/v1/invoices/{stripe.InvoiceId}/finalize");
        Assert.Equal([$"finalize-{invoice.Id}", $"finalize-{invoice.Id}"], finalizes.Select(f => f.IdempotencyKey));
        Assert.True(collection.Submitted);
        Assert.Equal(collection, third);
        Assert.Equal(firstAttempt + 4, stripe.Requests.Count);
    }

    [Fact]
    public async Task A_second_invoice_of_the_same_client_reuses_its_stripe_customer()
    {
        using var stripe = new FakeStripe();
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var first = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));
        await host.Gateway.SubmitAsync(client.TenantId, first.Id, CancellationToken.None);
        using var nextMonth = new FakeStripe();
        await using var nextHost = PaymentsTestHost.Start(services, nextMonth);
        var second = await nextHost.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        await nextHost.Gateway.SubmitAsync(client.TenantId, second.Id, CancellationToken.None);

        Assert.Empty(nextMonth.Posts("/v1/customers"));
        Assert.Equal(stripe.CustomerId, nextMonth.Posts("/v1/invoices").Single().Form["customer"]);
    }

    [Fact]
    public async Task Stripe_refusing_a_request_is_reported_once_without_retries()
    {
        using var stripe = new FakeStripe();
        stripe.AlwaysFails("/v1/customers", 401, "invalid_request_error", "api_key_invalid");
        await using var host = PaymentsTestHost.Start(services, stripe, new Dictionary<string, string?> { ["Stripe:MaxNetworkRetries"] = "2" });
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var error = await Assert.ThrowsAsync<InvoiceCollectionRejectedException>(() => host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None));

        Assert.Contains("api_key_invalid", error.Message, StringComparison.Ordinal);
        Assert.Single(stripe.Requests);
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "stripe_rejected"));
    }

    [Fact]
    public async Task A_stripe_server_error_is_retried_by_stripe_net_with_the_same_idempotency_key()
    {
        using var stripe = new FakeStripe();
        stripe.FailsOnce("/v1/customers", 500);
        await using var host = PaymentsTestHost.Start(services, stripe, new Dictionary<string, string?> { ["Stripe:MaxNetworkRetries"] = "1" });
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var collection = await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        Assert.True(collection.Submitted);
        Assert.Equal([$"customer-{client.TenantId}", $"customer-{client.TenantId}"], stripe.Posts("/v1/customers").Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Rate_limiting_is_left_to_the_callers_retries_not_reported_as_a_rejection()
    {
        using var stripe = new FakeStripe();
        stripe.AlwaysFails("/v1/customers", 429, "invalid_request_error", "rate_limit");
        await using var host = PaymentsTestHost.Start(services, stripe);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None));

        Assert.IsType<StripeException>(error);
        Assert.Equal(0, await host.EventCountAsync(client.TenantId, invoice.Id, "stripe_rejected"));
    }

    [Fact]
    public async Task Without_a_secret_key_invoices_are_not_sent_anywhere()
    {
        await using var host = PaymentsTestHost.Start(services);
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, DateTimeOffset.UtcNow.AddDays(14));

        var collection = await host.Gateway.SubmitAsync(client.TenantId, invoice.Id, CancellationToken.None);

        Assert.False(host.Gateway.IsConfigured);
        Assert.False(collection.Submitted);
    }
}
