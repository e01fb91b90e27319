using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>Issue #13's quotes over HTTP: drafted by the office, emailed with a link, approved or declined by the customer.</summary>
[Collection(HostCollection.Name)]
public sealed partial class QuoteApiTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_approved_quote_creates_the_job_marks_the_lead_won_with_the_total_and_its_link_works_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var customer = $"dana-{Guid.NewGuid():N}@example.com";
        var leadId = await LeadAsync(tenant.OwnerToken);
        var quote = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", tenant.OwnerToken, QuoteBody(customer)), HttpStatusCode.Created);
        var id = quote.GetProperty("id").GetGuid();

        var sent = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{id}/send", tenant.OwnerToken, new { linkValidDays = 14 }));
        var (token, pdfText) = await LinkAndPdfAsync(customer);
        var view = await ReadAsync(await Client.PostAsJsonAsync("/api/v1/quote-approvals/view", new { token }));
        var approved = await ReadAsync(await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token, name = "Dana Reyes", selectedOptionalLines = new[] { 2 } }));
        using var again = await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token, name = "Dana Reyes" });
        var lead = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
        var job = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{approved.GetProperty("jobId").GetGuid()}", tenant.OwnerToken));
        var stored = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{id}", tenant.OwnerToken));

        // 2 × 1,850.00 + 3 × 95.00 = 3,985.00 taxable at 8.25 % (328.76) + the 120.00 survey, untaxed = 4,433.76 sent;
        // the customer adds the optional 1 × 640.00 taxable line: 4,745.00 + 8.25 % of 4,625.00 (381.56) = 5,126.56 approved.
        Assert.Equal("4433.76", sent.GetProperty("totals").GetProperty("total").GetProperty("amount").GetString());
        Assert.Contains("Q-1", pdfText, StringComparison.Ordinal);
        Assert.Contains("4433.76", pdfText, StringComparison.Ordinal);
        Assert.Equal("sent", view.GetProperty("status").GetString());
        Assert.False(view.TryGetProperty("leadId", out _));
        Assert.Equal("approved", approved.GetProperty("quote").GetProperty("status").GetString());
        Assert.Equal("5126.56", approved.GetProperty("quote").GetProperty("totals").GetProperty("total").GetProperty("amount").GetString());
        await PlatformEndpointTests.AssertProblemAsync(again, HttpStatusCode.Gone);
        Assert.Equal("won", lead.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Equal("5126.56", lead.GetProperty("outcome").GetProperty("value").GetProperty("amount").GetString());
        Assert.Equal("500 Congress Ave, Austin, TX", job.GetProperty("address").GetString());
        Assert.Equal(leadId, job.GetProperty("leadId").GetGuid());
        Assert.Equal("Dana Reyes", stored.GetProperty("decidedByName").GetString());
        Assert.True(stored.GetProperty("lines")[2].GetProperty("selected").GetBoolean());
    }

    [Fact]
    public async Task Sending_a_revision_closes_the_older_versions_link_and_a_sent_quote_is_not_edited()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var customer = $"sam-{Guid.NewGuid():N}@example.com";
        var leadId = await LeadAsync(tenant.OwnerToken);
        var first = (await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", tenant.OwnerToken, QuoteBody(customer)), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{first}/send", tenant.OwnerToken, new { }));
        var (oldToken, _) = await LinkAndPdfAsync(customer);

        using var edit = await SendAsync(HttpMethod.Put, $"/api/v1/quotes/{first}", tenant.OwnerToken, QuoteBody(customer));
        var revision = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{first}/revisions", tenant.OwnerToken), HttpStatusCode.Created);
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{revision.GetProperty("id").GetGuid()}/send", tenant.OwnerToken, new { }));
        using var oldLink = await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token = oldToken, name = "Sam" });
        var older = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{first}", tenant.OwnerToken));

        await PlatformEndpointTests.AssertProblemAsync(edit, HttpStatusCode.Conflict);
        Assert.Equal(2, revision.GetProperty("version").GetInt32());
        Assert.Equal("Q-1", revision.GetProperty("number").GetString());
        await PlatformEndpointTests.AssertProblemAsync(oldLink, HttpStatusCode.Gone);
        Assert.Equal("superseded", older.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_declined_quote_keeps_the_reason_and_leaves_the_lead_open()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var customer = $"lee-{Guid.NewGuid():N}@example.com";
        var leadId = await LeadAsync(tenant.OwnerToken);
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", tenant.OwnerToken, QuoteBody(customer)), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{id}/send", tenant.OwnerToken, new { }));
        var (token, _) = await LinkAndPdfAsync(customer);

        var declined = await ReadAsync(await Client.PostAsJsonAsync("/api/v1/quote-approvals/decline", new { token, reason = "Went with a cheaper offer" }));
        using var approveAfter = await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token, name = "Lee" });
        var lead = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
        var stored = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/quotes/{id}", tenant.OwnerToken));

        Assert.Equal("declined", declined.GetProperty("status").GetString());
        await PlatformEndpointTests.AssertProblemAsync(approveAfter, HttpStatusCode.Gone);
        Assert.Equal(JsonValueKind.Null, lead.GetProperty("outcome").ValueKind);
        Assert.Equal("Went with a cheaper offer", stored.GetProperty("declineReason").GetString());
    }

    [Fact]
    public async Task Bad_quotes_and_bad_links_are_refused_naming_what_is_wrong()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var leadId = await LeadAsync(tenant.OwnerToken);

        using var badLines = await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", tenant.OwnerToken, new
        {
            title = "Roof", customerName = "Dana", serviceAddress = "1 Main St", location = new { latitude = 30.2, longitude = -97.7 }, currency = "USD",
            lines = new object[] { new { description = "Shingles", quantity = 0, unitPrice = "12.345" } }, deposit = "-5",
        });
        using var unknownLead = await SendAsync(HttpMethod.Post, $"/api/v1/leads/{Guid.NewGuid()}/quotes", tenant.OwnerToken, QuoteBody("x@example.com"));
        using var noToken = await Client.PostAsJsonAsync("/api/v1/quote-approvals/view", new { });
        using var madeUp = await Client.PostAsJsonAsync("/api/v1/quote-approvals/view", new { token = new string('A', 43) });

        var problem = await PlatformEndpointTests.AssertProblemAsync(badLines, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("lines[0].quantity", out _));
        Assert.True(errors.TryGetProperty("lines[0].unitPrice", out _));
        Assert.True(errors.TryGetProperty("deposit", out _));
        await PlatformEndpointTests.AssertProblemAsync(unknownLead, HttpStatusCode.NotFound);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(noToken, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("token", out _));
        await PlatformEndpointTests.AssertProblemAsync(madeUp, HttpStatusCode.Gone);
    }

    private static object QuoteBody(string customerEmail) => new
    {
        title = "Replace the condenser", customerName = "Dana Reyes", customerEmail, serviceAddress = "500 Congress Ave, Austin, TX",
        location = new { latitude = 30.2672, longitude = -97.7431 }, currency = "USD", taxRate = 8.25, deposit = "500.00",
        message = "Includes haul-away of the old unit.",
        lines = new object[]
        {
            new { description = "3-ton condenser, installed", quantity = 2, unitPrice = "1850.00" },
            new { description = "Refrigerant, per lb", quantity = 3, unitPrice = "95.00" },
            new { description = "Smart thermostat (optional)", quantity = 1, unitPrice = "640.00", optional = true },
            new { description = "Site survey", quantity = 1, unitPrice = "120.00", taxable = false },
        },
    };

    private async Task<Guid> LeadAsync(string token)
    {
        var lead = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", token, new
        {
            firstName = "Dana", lastName = "Reyes", email = $"lead-{Guid.NewGuid():N}@example.com", source = "website",
        }), HttpStatusCode.Created);
        return lead.GetProperty("id").GetGuid();
    }

    private static async Task<(string Token, string PdfText)> LinkAndPdfAsync(string customer)
    {
        var mail = await Mailbox.WaitForMailAsync(customer, m => m.GetProperty("subject").GetString()!.StartsWith("Quote Q-", StringComparison.Ordinal));
        var token = LinkToken().Match(mail.GetProperty("text").GetString()!).Groups["token"].Value;
        var attachment = Assert.Single(mail.GetProperty("attachments").EnumerateArray().ToList());
        var pdf = await Mailbox.AttachmentAsync(mail.GetProperty("id").GetString()!, attachment.GetProperty("generatedFileName").GetString()!);
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return (token, string.Join('\n', document.GetPages().Select(p => p.Text)));
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        Client.SendAsync(HostFixture.Authorized(method, path, token, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    [GeneratedRegex(@"/quote\?token=(?<token>[A-Za-z0-9_-]{43})")]
    private static partial Regex LinkToken();
}
