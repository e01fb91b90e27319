using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>The business's invoices to its customers, drafted from completed visits of a job its approved quote created.</summary>
public sealed partial class QuoteApiTests
{
    [Fact]
    public async Task An_invoice_drafted_from_a_completed_visit_bills_the_quote_once_plus_labour_and_moves_draft_sent_paid()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (job, visit) = await ApprovedJobWithVisitAsync(tenant.OwnerToken, $"inv-{Guid.NewGuid():N}@example.com");

        using var notDone = await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } });
        await CompleteAsync(tenant.OwnerToken, visit);
        using var mixed = await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken,
            new { visitIds = new[] { visit }, labourRate = new { amount = "80.00", currency = "EUR" } });
        var draft = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken,
            new { visitIds = new[] { visit }, labourRate = new { amount = "80.00", currency = "USD" }, taxLabour = false, dueInDays = 14 }), HttpStatusCode.Created);
        var id = draft.GetProperty("id").GetGuid();
        using var twice = await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } });
        using var paidEarly = await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/status", tenant.OwnerToken, new { status = "paid" });
        var sent = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/status", tenant.OwnerToken, new { status = "sent" }));
        var paid = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/status", tenant.OwnerToken, new { status = "paid" }));
        using var voidPaid = await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/status", tenant.OwnerToken, new { status = "void" });
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/customer-invoices?status=paid", tenant.OwnerToken));

        var problem = await PlatformEndpointTests.AssertProblemAsync(notDone, (HttpStatusCode)422);
        Assert.True(problem.GetProperty("errors").TryGetProperty("visitIds[0]", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(mixed, (HttpStatusCode)422)).GetProperty("errors").TryGetProperty("labourRate.currency", out _));
        // Quote: 2 × 1,850.00 + 3 × 95.00 = 3,985.00 taxable, 120.00 survey untaxed (the optional thermostat not chosen);
        // labour 1.5 h × 80.00 = 120.00 untaxed. Subtotal 4,225.00; tax 8.25 % of 3,985.00 = 328.7625 → 328.76; total 4,553.76.
        Assert.Equal("CI-1", draft.GetProperty("number").GetString());
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal(["quote", "quote", "quote", "labour"], draft.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal("120.00", draft.GetProperty("lines")[3].GetProperty("amount").GetProperty("amount").GetString());
        Assert.Equal("4225.00", draft.GetProperty("subtotal").GetProperty("amount").GetString());
        Assert.Equal("328.76", draft.GetProperty("tax").GetProperty("amount").GetString());
        Assert.Equal("4553.76", draft.GetProperty("total").GetProperty("amount").GetString());
        Assert.Equal([visit], draft.GetProperty("visitIds").EnumerateArray().Select(v => v.GetGuid()));
        Assert.Equal(id, (await PlatformEndpointTests.AssertProblemAsync(twice, HttpStatusCode.Conflict)).GetProperty("invoiceId").GetGuid());
        await PlatformEndpointTests.AssertProblemAsync(paidEarly, HttpStatusCode.Conflict);
        Assert.NotEqual(JsonValueKind.Null, sent.GetProperty("sentAt").ValueKind);
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        await PlatformEndpointTests.AssertProblemAsync(voidPaid, HttpStatusCode.Conflict);
        Assert.Equal([id], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.NotEqual(Guid.Empty, job);
    }

    [Fact]
    public async Task Voiding_an_invoice_frees_its_visit_and_quote_and_a_second_visit_of_the_job_bills_labour_only()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (job, visit) = await ApprovedJobWithVisitAsync(tenant.OwnerToken, $"void-{Guid.NewGuid():N}@example.com");
        await CompleteAsync(tenant.OwnerToken, visit);
        var first = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } }), HttpStatusCode.Created);

        var voided = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{first.GetProperty("id").GetGuid()}/status", tenant.OwnerToken,
            new { status = "void", reason = "Wrong customer address" }));
        var again = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } }), HttpStatusCode.Created);
        var second = await VisitOnJobAsync(tenant.OwnerToken, job);
        await CompleteAsync(tenant.OwnerToken, second);
        using var nothingToBill = await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { second } });
        var labourOnly = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken,
            new { visitIds = new[] { second }, labourRate = new { amount = "75.50", currency = "USD" }, taxRate = 10 }), HttpStatusCode.Created);

        Assert.Equal("Wrong customer address", voided.GetProperty("voidReason").GetString());
        Assert.Equal("4433.76", again.GetProperty("total").GetProperty("amount").GetString());
        Assert.Equal("CI-2", again.GetProperty("number").GetString());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(nothingToBill, (HttpStatusCode)422)).GetProperty("errors").TryGetProperty("labourRate", out _));
        // 1.5 h × 75.50 = 113.25, taxed at 10 % = 11.325 → 11.33 (half away from zero); total 124.58.
        var line = Assert.Single(labourOnly.GetProperty("lines").EnumerateArray());
        Assert.Equal("labour", line.GetProperty("kind").GetString());
        Assert.Equal("113.25", labourOnly.GetProperty("subtotal").GetProperty("amount").GetString());
        Assert.Equal("11.33", labourOnly.GetProperty("tax").GetProperty("amount").GetString());
        Assert.Equal("124.58", labourOnly.GetProperty("total").GetProperty("amount").GetString());
    }

    private async Task<(Guid Job, Guid Visit)> ApprovedJobWithVisitAsync(string token, string customer)
    {
        var leadId = await LeadAsync(token);
        var quote = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/quotes", token, QuoteBody(customer)), HttpStatusCode.Created);
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/quotes/{quote.GetProperty("id").GetGuid()}/send", token, new { }));
        var (link, _) = await LinkAndPdfAsync(customer);
        var approved = await ReadAsync(await Client.PostAsJsonAsync("/api/v1/quote-approvals/approve", new { token = link, name = "Dana Reyes" }));
        var job = approved.GetProperty("jobId").GetGuid();
        return (job, await VisitOnJobAsync(token, job));
    }

    private async Task<Guid> VisitOnJobAsync(string token, Guid job)
    {
        var visit = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job}/visits", token, new
        {
            windowStart = "2027-03-10T09:00:00Z", windowEnd = "2027-03-10T10:00:00Z", durationMinutes = 90, requiredSkills = Array.Empty<string>(),
        }), HttpStatusCode.Created);
        var id = visit.GetProperty("id").GetGuid();
        var technician = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/technicians", token, new
        {
            name = "Ivy", skills = Array.Empty<string>(), certifications = Array.Empty<object>(), homeBase = new { latitude = 30.27, longitude = -97.74 },
            workingHours = new { start = "08:00", end = "17:00" }, hourlyCost = new { amount = "40.00", currency = "USD" },
        }), HttpStatusCode.Created);
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{id}/assignment", token, new { technicianIds = new[] { technician.GetProperty("id").GetGuid() } }));
        return id;
    }

    private async Task CompleteAsync(string token, Guid visit)
    {
        foreach (var status in new[] { "en_route", "on_site", "completed" })
        {
            await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/status", token, new { status }));
        }
    }
}
