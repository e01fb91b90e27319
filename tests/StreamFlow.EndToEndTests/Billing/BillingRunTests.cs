using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Billing;

/// <summary>
/// Billing over HTTP on the standalone host: the provider prices a client from last month on, the client creates
/// leads (moved into last month, since no API backdates them), the provider runs the billing, and the owner gets
/// the invoice by email.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BillingRunTests(HostFixture fixture)
{
    [Fact]
    public async Task A_provider_billing_run_invoices_last_month_and_emails_the_owner()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var periodStart = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var provider = await fixture.LoginAsync("provider");
        var tenant = await Tenants.CreateAsync(fixture);
        using (var priced = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/pricing", provider, new
        {
            effectiveFrom = periodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            currency = "USD",
            baseFee = "100.00",
            seatPrice = "0.00",
            includedLeads = 1,
            leadPrice = "5.00",
            aiMarkupPercent = 30,
            billingDay = 1,
        })))
        {
            Assert.True(priced.StatusCode == HttpStatusCode.OK, await priced.Content.ReadAsStringAsync());
        }

        for (var i = 0; i < 3; i++)
        {
            using var created = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new
            {
                firstName = $"Billable{i}", lastName = "Lead", company = "Acme", email = $"lead{i}-{tenant.Slug}@example.com", phone = $"+1555000{i:D4}", source = "web",
            }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await MoveLeadsIntoAsync(tenant.Id, periodStart.AddDays(9));

        using var started = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/billing-runs", provider, new { }));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var statusUrl = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        var status = await WaitForCompletionAsync(statusUrl, provider);
        var number = status.GetProperty("result").GetProperty("number").GetString()!;
        var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains(number, StringComparison.Ordinal));

        Assert.Equal("completed", status.GetProperty("status").GetString());
        // 100.00 base fee for the whole month, and 2 leads beyond the 1 included at 5.00.
        Assert.Equal("110.00", status.GetProperty("result").GetProperty("total").GetString());
        Assert.Contains("110.00 USD", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("Leads beyond the 1 included: 2 of 3 created", mail.GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> WaitForCompletionAsync(string statusUrl, string token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, new Uri(statusUrl).PathAndQuery, token));
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (status.GetProperty("status").GetString() is "completed" or "failed")
            {
                return status;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The billing run did not finish.");
    }

    private static async Task MoveLeadsIntoAsync(Guid tenantId, DateOnly day)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var setTenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, true)", connection, transaction))
        {
            setTenant.Parameters.AddWithValue("tenant", tenantId.ToString());
            await setTenant.ExecuteNonQueryAsync();
        }

        await using (var update = new NpgsqlCommand("UPDATE leads SET created_at = @at", connection, transaction))
        {
            update.Parameters.AddWithValue("at", new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
            Assert.Equal(3, await update.ExecuteNonQueryAsync());
        }

        await transaction.CommitAsync();
    }
}
