using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;
using UglyToad.PdfPig;

namespace StreamFlow.EndToEndTests.Billing;

/// <summary>
/// Credit notes over HTTP: the provider issues account credit, the owner is mailed it (PDF attached, provider's brand),
/// lists it and downloads it; bad input names its fields; a churn playbook's offerCredit issues within its yearly
/// limit and is refused (audited, nothing issued) above it.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class CreditNoteRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task The_provider_issues_account_credit_and_the_owner_is_mailed_lists_and_downloads_it()
    {
        var provider = await fixture.LoginAsync("provider");
        var tenant = await PricedTenantAsync(provider);

        using var issued = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", provider,
            new { amountMinor = 4_999, reason = "Sorry for the missed sync" }));
        Assert.True(issued.StatusCode == HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
        var note = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var number = note.GetProperty("number").GetString()!;
        Assert.Equal(("account", "49.99", "USD"), (note.GetProperty("kind").GetString(), note.GetProperty("amount").GetProperty("amount").GetString(),
            note.GetProperty("amount").GetProperty("currency").GetString()));
        Assert.StartsWith("provider:", note.GetProperty("issuedBy").GetString(), StringComparison.Ordinal);

        using var owners = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/credit-notes", tenant.OwnerToken));
        var list = await owners.Content.ReadFromJsonAsync<JsonElement>();
        var mine = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal((number, "provider"), (mine.GetProperty("number").GetString(), mine.GetProperty("issuedBy").GetString()));
        Assert.Equal("49.99", Assert.Single(list.GetProperty("openCredit").EnumerateArray()).GetProperty("amount").GetString());

        using var download = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/credit-notes/{mine.GetProperty("id").GetGuid()}/document", tenant.OwnerToken));
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        using (var pdf = PdfDocument.Open(await download.Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            Assert.Contains(number, text, StringComparison.Ordinal);
            Assert.Contains("49.99", text, StringComparison.Ordinal);
        }

        var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.StartsWith($"Credit note {number}", StringComparison.Ordinal));
        var attached = Assert.Single(mail.GetProperty("attachments").EnumerateArray(), a => a.GetProperty("contentType").GetString() == "application/pdf");
        using (var mailed = PdfDocument.Open(await Mailbox.AttachmentAsync(mail.GetProperty("id").GetString()!, attached.GetProperty("generatedFileName").GetString()!)))
        {
            Assert.Contains(number, string.Join(" ", mailed.GetPages().Select(p => p.Text)), StringComparison.Ordinal);
        }

        var audit = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "billing.credit_note.issued");
    }

    [Fact]
    public async Task Bad_input_is_a_400_naming_the_fields_and_a_client_token_is_refused()
    {
        var provider = await fixture.LoginAsync("provider");
        var tenant = await Tenants.CreateAsync(fixture);

        using var bad = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", provider,
            new { amountMinor = -5, reason = "" }));
        using var asClient = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", tenant.OwnerToken,
            new { amountMinor = 100, reason = "Free money" }));
        using var unpriced = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", provider,
            new { amountMinor = 100, reason = "Goodwill" }));

        var problem = await PlatformEndpointTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal(["amountMinor", "reason"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await PlatformEndpointTests.AssertProblemAsync(asClient, HttpStatusCode.Unauthorized);
        await PlatformEndpointTests.AssertProblemAsync(unpriced, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_playbook_offers_credit_within_its_yearly_limit_and_is_refused_and_audited_above_it()
    {
        var provider = await fixture.LoginAsync("provider");
        var tenant = await PricedTenantAsync(provider);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var rules = new List<Guid>();
        try
        {
            // Two rules that both match: the first offers 30.00 within a 50.00 yearly limit, the second 30.00 more, over it.
            foreach (var name in new[] { $"Credit A {marker}", $"Credit B {marker}" })
            {
                using var created = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/churn-playbooks", provider, new
                {
                    name, minRisk = 0.0,
                    actions = new object[] { new { type = "offerCredit", amountMinor = 3_000, currency = "USD", yearlyLimitMinor = 5_000, reason = "A thank-you for {{business}}" } },
                }));
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                rules.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
            }

            using var evaluated = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/churn-playbook-evaluations", provider));
            var triggered = (await evaluated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("triggered").EnumerateArray()
                .Where(r => rules.Contains(r.GetProperty("playbookId").GetGuid()))
                .Select(r => Assert.Single(r.GetProperty("actions").EnumerateArray()).GetProperty("status").GetString())
                .Order()
                .ToList();

            Assert.Equal(["done", "refused"], triggered);
            using var listed = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/credit-notes", provider));
            var note = Assert.Single((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
            Assert.Equal("30.00", note.GetProperty("amount").GetProperty("amount").GetString());
            Assert.StartsWith("playbook:", note.GetProperty("issuedBy").GetString(), StringComparison.Ordinal);
            var audit = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
            var entries = audit.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString())).ToList();
            Assert.Contains(("client_success.playbook.offerCredit", "refused"), entries);
            Assert.Contains(("billing.credit_note.refused", "refused"), entries);
        }
        finally
        {
            foreach (var id in rules)
            {
                using var stop = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/provider/churn-playbooks/{id}", provider));
            }
        }
    }

    private async Task<TestTenant> PricedTenantAsync(string provider)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var priced = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/pricing", provider, new
        {
            effectiveFrom = new DateOnly(today.Year, today.Month, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            currency = "USD", baseFee = "100.00", seatPrice = "0.00", includedLeads = 10, leadPrice = "1.00", aiMarkupPercent = 30, billingDay = 1,
        }));
        Assert.True(priced.StatusCode == HttpStatusCode.OK, await priced.Content.ReadAsStringAsync());
        return tenant;
    }
}
