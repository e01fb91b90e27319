using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.LeadSources;

/// <summary>Source costs, attribution and a lead's sources through the standalone host.</summary>
[Collection(HostCollection.Name)]
public sealed class AttributionRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task A_monthly_cost_set_for_a_source_shows_in_the_attribution_next_to_its_leads()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var lead = await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant, new { firstName = "Dana", source = "Radio ads" });
        using var cost = await SendAsync(HttpMethod.Put, "/api/v1/lead-sources/costs/Radio%20ads", tenant, new { amount = "300.00", currency = "USD" });
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        using var report = await SendAsync(HttpMethod.Get, $"/api/v1/lead-sources/attribution?from={month}&to={month}", tenant);
        var radio = (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "Radio ads");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (lead.StatusCode, cost.StatusCode));
        Assert.Equal(1, radio.GetProperty("leads").GetInt32());
        Assert.Equal("300.00", radio.GetProperty("cost")[0].GetProperty("amount").GetString());
        Assert.Equal("300.00", radio.GetProperty("costPerLead")[0].GetProperty("amount").GetString());
    }

    [Fact]
    public async Task A_bad_period_or_cost_is_a_400_naming_the_field()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var period = await SendAsync(HttpMethod.Get, "/api/v1/lead-sources/attribution?from=2026-13", tenant);
        using var cost = await SendAsync(HttpMethod.Put, "/api/v1/lead-sources/costs/Radio", tenant, new { amount = 12, currency = "USD" });

        Assert.Equal(HttpStatusCode.BadRequest, period.StatusCode);
        Assert.True((await period.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("from", out _));
        Assert.Equal(HttpStatusCode.BadRequest, cost.StatusCode);
        Assert.True((await cost.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("amount", out _));
    }

    [Fact]
    public async Task A_typed_lead_has_no_external_records_and_an_unknown_lead_is_a_404()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var created = await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant, new { firstName = "Dana", source = "Phone" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var sources = await SendAsync(HttpMethod.Get, $"/api/v1/leads/{id}/sources", tenant);
        using var unknown = await SendAsync(HttpMethod.Get, $"/api/v1/leads/{Guid.NewGuid()}/sources", tenant);
        var view = await sources.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(("Phone", 0), (view.GetProperty("source").GetString(), view.GetProperty("records").GetArrayLength()));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, TestTenant tenant, object? json = null) =>
        fixture.Client.SendAsync(HostFixture.Authorized(method, path, tenant.OwnerToken, json));
}
