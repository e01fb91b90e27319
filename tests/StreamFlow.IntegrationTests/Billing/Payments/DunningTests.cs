using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.Core.Billing.Payments;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>Reminders to the owner on the configured days after the due date, and one provider alert (read from maildev).</summary>
[Collection(ServicesCollection.Name)]
public sealed class DunningTests(TestServices services)
{
    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    [Fact]
    public async Task Each_reminder_day_is_sent_to_the_owner_once()
    {
        await using var host = Start();
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, host.Time.GetUtcNow().AddDays(-2));

        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        var afterDayOne = await MailsAsync(client.OwnerEmail, invoice.Number, expected: 1);
        host.Time.Advance(TimeSpan.FromDays(6));
        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        var afterDaySeven = await MailsAsync(client.OwnerEmail, invoice.Number, expected: 2);

        Assert.Single(afterDayOne);
        Assert.Equal(2, afterDaySeven.Count);
        Assert.Equal(2, await host.EventCountAsync(client.TenantId, invoice.Id, "reminder_sent"));
        Assert.Contains("499.00 USD", afterDaySeven[^1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paid_invoice_gets_no_reminder()
    {
        await using var host = Start();
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, host.Time.GetUtcNow().AddDays(-3));
        await host.Payments.MarkPaidAsync(client.TenantId, invoice.Id, new MarkInvoicePaidRequest(null, "CHQ-5"), "provider:test", CancellationToken.None);

        await host.Get<DunningService>().RunAsync(CancellationToken.None);

        Assert.Equal(0, await host.EventCountAsync(client.TenantId, invoice.Id, "reminder_sent"));
    }

    [Fact]
    public async Task The_provider_is_alerted_once_after_the_configured_days()
    {
        await using var host = Start();
        var client = await host.CreateClientAsync();
        var invoice = await host.CreateFinalizedInvoiceAsync(client.TenantId, host.Time.GetUtcNow().AddDays(-31), 0m, "USD", ("base_fee", 1250m));

        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.Get<DunningService>().RunAsync(CancellationToken.None);
        var alerts = await MailsAsync(ProviderEmail, client.Name, expected: 1);

        var alert = Assert.Single(alerts).GetProperty("text").GetString()!;
        Assert.Contains("1250.00 USD", alert, StringComparison.Ordinal);
        Assert.Contains(invoice.Number, alert, StringComparison.Ordinal);
        Assert.Contains($"/api/v1/provider/tenants/{client.TenantId}/suspend", alert, StringComparison.Ordinal);
        Assert.Equal(1, await host.EventCountAsync(client.TenantId, invoice.Id, "provider_alerted"));
    }

    private const string ProviderEmail = "billing-alerts@provider.example.test";

    // The overdue scan spans every client in the database: on a clock in the 1980s only this class's invoices (due
    // then) are overdue, so a dunning run never reminds about, or adds history to, other tests' invoices.
    private PaymentsTestHost Start() => PaymentsTestHost.Start(services, settings: new Dictionary<string, string?>
    {
        ["Billing:Dunning:ReminderDays"] = "1,7,14",
        ["Billing:Dunning:AlertAfterDays"] = "30",
        ["Billing:Dunning:ProviderEmail"] = ProviderEmail,
    }, now: new DateTimeOffset(1980 + Random.Shared.Next(0, 15), Random.Shared.Next(1, 13), 15, 9, 0, 0, TimeSpan.Zero));

    // Polls until at least `expected` mails arrived (maildev stores them asynchronously); the events table is the exact count.
    private static async Task<List<JsonElement>> MailsAsync(string to, string subjectContains, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<JsonElement> found;
        do
        {
            var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
            found = mails.EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                    && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.Ordinal))
                .ToList();
            if (found.Count >= expected)
            {
                return found;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return found;
    }
}
