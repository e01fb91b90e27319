using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connectors.Health;
using StreamFlow.IntegrationTests.Connections;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>Connection health (failures in a row, lag, last error) and the owners' email after N failed syncs, once per breakage (read back from maildev).</summary>
[Collection(ServicesCollection.Name)]
public sealed class ConnectorHealthTests(TestServices services) : IAsyncLifetime
{
    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    private readonly ServiceTitanFake _st = new(customers: 3, jobs: 0);
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, "http://127.0.0.1:9", settings: new Dictionary<string, string?>
    {
        ["Connectors:ServiceTitan:BaseUrl"] = _st.Url,
        ["Connectors:ServiceTitan:TokenUrl"] = $"{_st.Url}/connect/token",
        ["Connectors:Health:FailureAlertAfter"] = "2",
    });

    [Fact]
    public async Task Owners_are_emailed_once_per_breakage_after_N_failures_in_a_row_and_health_shows_the_streak()
    {
        var (tenant, slug) = await _bed.CreateTenantWithSlugAsync();
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("servicetitan", "Shop ST", JsonSerializer.SerializeToElement(new { tenantId = ServiceTitanFake.Tenant }),
            new Dictionary<string, string> { ["clientId"] = ServiceTitanFake.ClientId, ["clientSecret"] = ServiceTitanFake.ClientSecret, ["appKey"] = ServiceTitanFake.AppKey },
            "daily", true), default);
        var connection = created.Value!.Id;
        var outage = Guid.NewGuid();
        _st.Server.Given(Request.Create().WithPath($"/crm/v2/tenant/{ServiceTitanFake.Tenant}/customers").UsingGet()).WithGuid(outage).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"title":"Service maintenance","status":503}"""));

        await _bed.SyncAsync(tenant, connection);
        var afterOne = await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug));
        await _bed.SyncAsync(tenant, connection);
        await _bed.SyncAsync(tenant, connection);
        var failing = Assert.Single((await _bed.Get<ConnectorHealth>().ListAsync(tenant, default)).Items);
        var afterThree = await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug));
        _st.Server.DeleteMapping(outage);
        await _bed.SyncAsync(tenant, connection);
        var mended = Assert.Single((await _bed.Get<ConnectorHealth>().ListAsync(tenant, default)).Items);
        _st.Server.Given(Request.Create().WithPath($"/crm/v2/tenant/{ServiceTitanFake.Tenant}/customers").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"title":"Service maintenance","status":503}"""));
        await _bed.SyncAsync(tenant, connection);
        await _bed.SyncAsync(tenant, connection);
        var afterSecondBreakage = await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug));

        Assert.Empty(afterOne);
        var mail = Assert.Single(afterThree);
        Assert.Contains("Shop ST", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("Service maintenance", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(("error", 3, "unavailable"), (failing.Health, failing.ConsecutiveFailures, failing.LastError!.Kind));
        Assert.Null(failing.LastSuccessAt);
        Assert.True(failing.LagSeconds >= 0);
        Assert.Equal(("ok", 0), (mended.Health, mended.ConsecutiveFailures));
        Assert.NotNull(mended.LastSuccessAt);
        Assert.Equal(2, afterSecondBreakage.Count);
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _st.Dispose();
    }

    // The alert is sent before the sync's orchestration completes; maildev shows it within moments.
    private static async Task<List<JsonElement>> MailsAsync(string to)
    {
        await Task.Delay(300);
        var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
        return mails.EnumerateArray().Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
            && m.GetProperty("subject").GetString()!.Contains("syncs in a row", StringComparison.Ordinal)).ToList();
    }
}
