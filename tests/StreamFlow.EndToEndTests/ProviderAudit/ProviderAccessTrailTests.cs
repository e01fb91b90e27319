using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.ProviderAudit;

/// <summary>Every provider request about a business is in its trail, recorded by the pipeline, and the business can export it.</summary>
[Collection(HostCollection.Name)]
public sealed class ProviderAccessTrailTests(HostFixture fixture)
{
    [Fact]
    public async Task Provider_reads_and_changes_of_a_business_are_in_its_export_and_no_other_business_sees_them()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        using var read = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/branding", provider));
        using var refused = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/branding", provider, new { primaryColor = "blue" }));
        using var elsewhere = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{other.Id}/branding", provider));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var export = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit/provider-access", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var report = await export.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(tenant.Id, report.GetProperty("tenantId").GetGuid());
        var requests = report.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "provider.request").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, e => Assert.StartsWith("provider:", e.GetProperty("actor").GetString(), StringComparison.Ordinal));
        Assert.Equal("GET /api/v1/provider/tenants/{id:guid}/branding", requests[0].GetProperty("target").GetString());
        Assert.Equal("succeeded", requests[0].GetProperty("outcome").GetString());
        Assert.Equal(200, requests[0].GetProperty("details").GetProperty("status").GetInt32());
        Assert.Equal("refused", requests[1].GetProperty("outcome").GetString());
        Assert.Equal($"/api/v1/provider/tenants/{tenant.Id}/branding", requests[1].GetProperty("details").GetProperty("path").GetString());
        Assert.DoesNotContain(report.GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("details").TryGetProperty("path", out var path) && path.GetString()!.Contains(other.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_provider_exports_a_business_trail_as_csv_for_a_period()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        using var read = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/churn-risk", provider));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using var csv = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get,
            $"/api/v1/provider/tenants/{tenant.Id}/provider-access?from={today}&to={today}&format=csv", provider));

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("sequence,occurredAt,actor,action,target,outcome,ip,userAgent,details", lines[0]);
        Assert.Contains(lines, l => l.Contains(",provider.request,GET /api/v1/provider/tenants/{id:guid}/churn-risk,succeeded,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",client_success.churn_risk.read,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_period_or_format_names_the_field_and_an_unknown_business_is_404()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var reversed = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit/provider-access?from=2026-12-05&to=2026-12-01", tenant.OwnerToken));
        using var tooLong = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit/provider-access?from=2024-01-01&to=2026-01-01", tenant.OwnerToken));
        using var format = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit/provider-access?format=xml", tenant.OwnerToken));
        using var unknown = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{Guid.NewGuid()}/provider-access", provider));

        Assert.True((await PlatformEndpointTests.AssertProblemAsync(reversed, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("from", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(tooLong, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("to", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(format, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("format", out _));
        await PlatformEndpointTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }
}
