using System.Net;
using System.Text.Json;
using Npgsql;
using StreamFlow.Core.Webhooks;
using StreamFlow.EndToEndTests.Identity;
using StreamFlow.Tests.Shared;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>A customer invoice as the office uses it: labour on the visit timers, a PDF, mailed to the customer, paid in parts.</summary>
public sealed partial class QuoteApiTests
{
    [Fact]
    public async Task Labour_is_billed_on_the_visit_timers_and_the_invoice_is_mailed_to_the_customer_with_its_pdf()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var customer = $"mail-{Guid.NewGuid():N}@example.com";
        var (job, _) = await ApprovedJobWithVisitAsync(tenant.OwnerToken, customer);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var visit = await VisitOnJobAsync(tenant.OwnerToken, job, employee.Id);
        var planned = await VisitOnJobAsync(tenant.OwnerToken, job);

        using var timerWithoutVisit = await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token,
            new { punches = new[] { new { punchId = Guid.NewGuid(), kind = "visitStart", deviceTime = "2026-11-03T09:00:00Z" } } });
        // Two stretches on the visit: 09:00–09:50 and 10:05–10:27 = 72 min = 1.2 h; a start left running counts nothing.
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token, new
        {
            punches = new object[]
            {
                new { punchId = Guid.NewGuid(), kind = "visitStart", deviceTime = "2026-11-03T09:00:00Z", visitId = visit },
                new { punchId = Guid.NewGuid(), kind = "visitEnd", deviceTime = "2026-11-03T09:50:00Z", visitId = visit },
                new { punchId = Guid.NewGuid(), kind = "visitStart", deviceTime = "2026-11-03T10:05:00Z", visitId = visit },
                new { punchId = Guid.NewGuid(), kind = "visitEnd", deviceTime = "2026-11-03T10:27:00Z", visitId = visit },
                new { punchId = Guid.NewGuid(), kind = "visitStart", deviceTime = "2026-11-03T11:00:00Z", visitId = visit },
            },
        }));
        var beforeArrival = DateTimeOffset.UtcNow.AddSeconds(-5);
        await CompleteAsync(tenant.OwnerToken, visit);
        await CompleteAsync(tenant.OwnerToken, planned);
        var arrivedAt = await ArrivedAtAsync(tenant.Id, visit);
        var draft = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken,
            new { visitIds = new[] { visit, planned }, labourRate = new { amount = "80.00", currency = "USD" }, taxLabour = false }), HttpStatusCode.Created);
        var id = draft.GetProperty("id").GetGuid();

        using var pdfResponse = await SendAsync(HttpMethod.Get, $"/api/v1/customer-invoices/{id}/pdf", tenant.OwnerToken);
        var office = PdfText(await pdfResponse.Content.ReadAsByteArrayAsync());
        using var badEmail = await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/send", tenant.OwnerToken, new { email = "not an address" });
        var sent = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/send", tenant.OwnerToken, new { }));
        var mail = await Mailbox.WaitForMailAsync(customer, m => m.GetProperty("subject").GetString()!.StartsWith("Invoice CI-1", StringComparison.Ordinal));
        var attachment = Assert.Single(mail.GetProperty("attachments").EnumerateArray().ToList());
        var mailed = PdfText(await Mailbox.AttachmentAsync(mail.GetProperty("id").GetString()!, attachment.GetProperty("generatedFileName").GetString()!));

        Assert.True((await PlatformEndpointTests.AssertProblemAsync(timerWithoutVisit, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("punches[0].visitId", out _));
        // The move to on_site is kept as the visit's arrival (on-time arrival in the owner's report reads it).
        Assert.True(arrivedAt > beforeArrival, $"arrived_at {arrivedAt}");
        // Quote 4,433.76 (as approved: 3,985.00 taxable at 8.25 % + the 120.00 survey) + measured 1.2 h × 80.00 = 96.00
        // + planned 1.5 h × 80.00 = 120.00 for the visit nobody timed, both untaxed: 4,649.76.
        var labour = draft.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("kind").GetString() == "labour").ToList();
        Assert.Equal(2, labour.Count);
        var timed = labour.Single(l => l.GetProperty("visitId").GetGuid() == visit);
        Assert.Equal("measured", timed.GetProperty("basis").GetString());
        Assert.Equal(1.2m, timed.GetProperty("quantity").GetDecimal());
        Assert.Equal("96.00", timed.GetProperty("amount").GetProperty("amount").GetString());
        Assert.Contains("72 min measured", timed.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("planned", labour.Single(l => l.GetProperty("visitId").GetGuid() == planned).GetProperty("basis").GetString());
        Assert.Equal("4649.76", draft.GetProperty("total").GetProperty("amount").GetString());
        Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
        Assert.Equal("application/pdf", pdfResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"Business{tenant.Slug}", office, StringComparison.Ordinal);
        Assert.Contains("InvoiceCI-1", office, StringComparison.Ordinal);
        Assert.Contains("72minmeasured", office, StringComparison.Ordinal);
        Assert.Contains("4649.76", office, StringComparison.Ordinal);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(badEmail, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("email", out _));
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        Assert.Equal(customer, sent.GetProperty("sentTo").GetString());
        Assert.Contains("Amount due: 4649.76 USD", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("application/pdf", attachment.GetProperty("contentType").GetString());
        Assert.Contains("InvoiceCI-1", mailed, StringComparison.Ordinal);
        Assert.Contains("Balancedue(USD)", mailed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payments_add_up_until_the_invoice_is_paid_a_repeat_changes_nothing_and_an_overpayment_is_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (_, visit) = await ApprovedJobWithVisitAsync(tenant.OwnerToken, $"pay-{Guid.NewGuid():N}@example.com");
        await CompleteAsync(tenant.OwnerToken, visit);
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/customer-invoices", tenant.OwnerToken, new { visitIds = new[] { visit } }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var path = $"/api/v1/customer-invoices/{id}/payments";
        var first = new { paymentId = Guid.NewGuid(), amountMinor = 100_000L, method = "cash", paidAt = "2026-11-03T15:00:00Z", reference = (string?)null };

        using var onDraft = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first);
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{id}/status", tenant.OwnerToken, new { status = "sent" }));
        var partial = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first), HttpStatusCode.Created);
        var repeat = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first));
        using var reused = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first with { amountMinor = 200_000L });
        using var over = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first with { paymentId = Guid.NewGuid(), amountMinor = 343_377L });
        using var bad = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken,
            new { amountMinor = 0, method = "bitcoin", paidAt = DateTimeOffset.UtcNow.AddHours(2), reference = new string('r', 201) });
        var rest = await ReadAsync(await SendAsync(HttpMethod.Post, path, tenant.OwnerToken,
            new { paymentId = Guid.NewGuid(), amountMinor = 343_376L, method = "card", paidAt = "2026-11-04T09:30:00Z", reference = "ch_3Q8x" }), HttpStatusCode.Created);
        using var afterPaid = await SendAsync(HttpMethod.Post, path, tenant.OwnerToken, first with { paymentId = Guid.NewGuid(), amountMinor = 1L });
        using var missing = await SendAsync(HttpMethod.Post, $"/api/v1/customer-invoices/{Guid.NewGuid()}/payments", tenant.OwnerToken, first with { paymentId = Guid.NewGuid() });
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        using var byEmployee = await SendAsync(HttpMethod.Post, path, employee.Token, first with { paymentId = Guid.NewGuid() });

        await PlatformEndpointTests.AssertProblemAsync(onDraft, HttpStatusCode.Conflict);
        // Total 4,433.76 = 443,376 cents: 1,000.00 paid leaves 3,433.76.
        Assert.Equal("sent", partial.GetProperty("invoice").GetProperty("status").GetString());
        Assert.Equal("1000.00", partial.GetProperty("invoice").GetProperty("amountPaid").GetProperty("amount").GetString());
        Assert.Equal("3433.76", partial.GetProperty("invoice").GetProperty("balanceDue").GetProperty("amount").GetString());
        Assert.False(partial.GetProperty("repeat").GetBoolean());
        Assert.True(repeat.GetProperty("repeat").GetBoolean());
        Assert.Equal("1000.00", repeat.GetProperty("invoice").GetProperty("amountPaid").GetProperty("amount").GetString());
        Assert.Single(repeat.GetProperty("invoice").GetProperty("payments").EnumerateArray());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(reused, HttpStatusCode.Conflict)).GetProperty("errors").TryGetProperty("paymentId", out _));
        var overProblem = await PlatformEndpointTests.AssertProblemAsync(over, (HttpStatusCode)422);
        Assert.True(overProblem.GetProperty("errors").TryGetProperty("amountMinor", out _));
        Assert.Equal(343_376L, overProblem.GetProperty("balanceDueMinor").GetInt64());
        var errors = (await PlatformEndpointTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.All(new[] { "paymentId", "amountMinor", "method", "paidAt", "reference" }, field => Assert.True(errors.TryGetProperty(field, out _), field));
        var paid = rest.GetProperty("invoice");
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.Equal("0.00", paid.GetProperty("balanceDue").GetProperty("amount").GetString());
        Assert.Equal("4433.76", paid.GetProperty("amountPaid").GetProperty("amount").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-04T09:30:00Z", System.Globalization.CultureInfo.InvariantCulture), paid.GetProperty("paidAt").GetDateTimeOffset());
        Assert.Equal(["cash", "card"], paid.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("method").GetString()));
        Assert.Equal("ch_3Q8x", rest.GetProperty("payment").GetProperty("reference").GetString());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(afterPaid, (HttpStatusCode)422)).GetProperty("errors").TryGetProperty("amountMinor", out _));
        await PlatformEndpointTests.AssertProblemAsync(missing, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(byEmployee, HttpStatusCode.Forbidden);

        var events = await EventsAsync(tenant.Id, WebhookEventCatalog.CustomerInvoicePaid);
        var paidEvent = Assert.Single(events);
        var contract = new WebhookEventContract(WebhookEventCatalog.All.Select(e => (e.Name, e.DataSchema.GetRawText())));
        Assert.Empty(contract.Violations(WebhookEventCatalog.CustomerInvoicePaid, paidEvent));
        using var data = JsonDocument.Parse(paidEvent);
        Assert.Equal(id, data.RootElement.GetProperty("invoiceId").GetGuid());
        Assert.Equal(2, data.RootElement.GetProperty("payments").GetInt32());
        Assert.Equal("payments", data.RootElement.GetProperty("settledBy").GetString());
    }

    private async Task<Guid> VisitOnJobAsync(string token, Guid job, Guid technicianUser)
    {
        var visit = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job}/visits", token, new
        {
            windowStart = "2027-03-11T09:00:00Z", windowEnd = "2027-03-11T10:00:00Z", durationMinutes = 90, requiredSkills = Array.Empty<string>(),
        }), HttpStatusCode.Created);
        var id = visit.GetProperty("id").GetGuid();
        var technician = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/technicians", token, new
        {
            name = "Tam", userId = technicianUser, skills = Array.Empty<string>(), certifications = Array.Empty<object>(),
            homeBase = new { latitude = 30.27, longitude = -97.74 }, workingHours = new { start = "08:00", end = "17:00" },
            hourlyCost = new { amount = "40.00", currency = "USD" },
        }), HttpStatusCode.Created);
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{id}/assignment", token, new { technicianIds = new[] { technician.GetProperty("id").GetGuid() } }));
        return id;
    }

    private static string PdfText(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        // Compared without spaces: how a text extractor spaces Courier glyphs is its own business.
        return string.Join('\n', document.GetPages().Select(p => p.Text)).Replace(" ", "", StringComparison.Ordinal);
    }

    private static async Task<DateTimeOffset?> ArrivedAtAsync(Guid tenantId, Guid visit)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT set_config('app.tenant_id', @TenantId::text, true); SELECT arrived_at FROM visits WHERE id = @Visit", connection, transaction);
        command.Parameters.AddWithValue("TenantId", tenantId);
        command.Parameters.AddWithValue("Visit", visit);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        return await reader.ReadAsync() && !reader.IsDBNull(0) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }

    private static async Task<List<string>> EventsAsync(Guid tenantId, string eventType)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT set_config('app.tenant_id', @TenantId::text, true); SELECT payload::text FROM webhook_messages WHERE event_type = @Type ORDER BY 1",
            connection, transaction);
        command.Parameters.AddWithValue("TenantId", tenantId);
        command.Parameters.AddWithValue("Type", eventType);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var payloads = new List<string>();
        while (await reader.ReadAsync())
        {
            payloads.Add(reader.GetString(0));
        }

        return payloads;
    }
}
