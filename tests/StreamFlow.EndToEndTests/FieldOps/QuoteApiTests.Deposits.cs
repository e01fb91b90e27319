using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.Core.Webhooks;
using StreamFlow.EndToEndTests.Identity;
using StreamFlow.Tests.Shared;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>A quote's deposit recorded against the approved quote, then counted as paid on the invoice that carries the quote.</summary>
public sealed partial class QuoteApiTests
{
    [Fact]
    public async Task A_deposit_is_recorded_against_the_approved_quote_in_parts_once_per_payment_id_and_the_invoice_counts_it_paid()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var customer = $"deposit-{Guid.NewGuid():N}@example.com";
        var leadId = await LeadAsync(tenant.OwnerToken);
        var quote = (await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", tenant.OwnerToken, QuoteBody(customer)), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{quote}/send", tenant.OwnerToken, new { }));
        var (link, _) = await LinkAndPdfAsync(customer);
        var path = $"/api/v1/quotes/{quote}/deposit-payments";
        var unpaid = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{quote}", tenant.OwnerToken));
        var first = new { paymentId = Guid.NewGuid(), amountMinor = 20_000L, method = "check", paidAt = "2026-11-02T10:00:00Z", reference = "Check 1042" };

        using var beforeApproval = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first);
        var job = (await ReadAsync(await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token = link, name = "Dana Reyes" }))).GetProperty("jobId").GetGuid();
        var part = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first), HttpStatusCode.Created);
        var repeat = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first));
        using var over = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first with { paymentId = Guid.NewGuid(), amountMinor = 30_001L });
        using var bad = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, new { paymentId = Guid.NewGuid(), amountMinor = -5, method = "cash" });
        var afterPart = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{quote}", tenant.OwnerToken));
        var rest = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken,
            first with { paymentId = Guid.NewGuid(), amountMinor = 30_000L, method = "card", paidAt = "2026-11-03T10:00:00Z" }), HttpStatusCode.Created);
        var paidUp = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{quote}", tenant.OwnerToken));
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes?leadId={leadId}", tenant.OwnerToken));
        var visit = await VisitOnJobAsync(tenant.OwnerToken, job);
        await CompleteAsync(tenant.OwnerToken, visit);
        var invoice = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } }), HttpStatusCode.Created);

        await PlatformEndpointTests.AssertProblemAsync(beforeApproval, HttpStatusCode.Conflict);
        Assert.Equal(("500.00", "200.00", "300.00"), (Amount(part, "deposit"), Amount(part, "depositPaid"), Amount(part, "depositDue")));
        Assert.True(repeat.GetProperty("repeat").GetBoolean());
        Assert.Equal("200.00", Amount(repeat, "depositPaid"));
        var overProblem = await PlatformEndpointTests.AssertProblemAsync(over, (HttpStatusCode)422);
        Assert.True(overProblem.GetProperty("errors").TryGetProperty("amountMinor", out _));
        Assert.Equal(30_000L, overProblem.GetProperty("depositDueMinor").GetInt64());
        var errors = (await PlatformEndpointTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("amountMinor", out _) && errors.TryGetProperty("paidAt", out _));
        Assert.Equal(("500.00", "0.00"), (Amount(rest, "depositPaid"), Amount(rest, "depositDue")));
        Assert.Equal(2, rest.GetProperty("payments").GetArrayLength());
        // GET /quotes/{id} (and the list) show the deposit asked for, paid and still due.
        Assert.Equal(("500.00", "0.00", "500.00", 0), Deposit(unpaid));
        Assert.Equal(JsonValueKind.Null, unpaid.GetProperty("deposit").GetProperty("lastPaidAt").ValueKind);
        Assert.Equal(("500.00", "200.00", "300.00", 1), Deposit(afterPart));
        Assert.Equal(("500.00", "500.00", "0.00", 2), Deposit(paidUp));
        Assert.Equal(DateTimeOffset.Parse("2026-11-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), paidUp.GetProperty("deposit").GetProperty("lastPaidAt").GetDateTimeOffset());
        Assert.Equal(("500.00", "500.00", "0.00", 2), Deposit(Assert.Single(listed.GetProperty("items").EnumerateArray())));
        // The invoice carries the quote (4,433.76): the 500.00 deposit is paid on it, 3,933.76 is due.
        Assert.Equal("500.00", invoice.GetProperty("depositApplied").GetProperty("amount").GetString());
        Assert.Equal("500.00", invoice.GetProperty("amountPaid").GetProperty("amount").GetString());
        Assert.Equal("3933.76", invoice.GetProperty("balanceDue").GetProperty("amount").GetString());

        var paidEvent = Assert.Single(await EventsAsync(tenant.Id, WebhookEventCatalog.QuoteDepositPaid));
        var contract = new WebhookEventContract(WebhookEventCatalog.All.Select(e => (e.Name, e.DataSchema.GetRawText())));
        Assert.Empty(contract.Violations(WebhookEventCatalog.QuoteDepositPaid, paidEvent));
        Assert.Equal(quote, JsonDocument.Parse(paidEvent).RootElement.GetProperty("quoteId").GetGuid());
    }

    private static string? Amount(JsonElement result, string name) => result.GetProperty(name).GetProperty("amount").GetString();

    private static (string?, string?, string?, int) Deposit(JsonElement quote)
    {
        var deposit = quote.GetProperty("deposit");
        return (Amount(deposit, "requested"), Amount(deposit, "paid"), Amount(deposit, "due"), deposit.GetProperty("payments").GetInt32());
    }
}
