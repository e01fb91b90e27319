using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;
using StreamFlow.IntegrationTests.LeadSources;
using StreamFlow.Tests.Shared;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace StreamFlow.IntegrationTests.Connections;

/// <summary>
/// The end of every sync is told: integration.sync.completed or integration.sync.failed, and integration.connection.broken
/// with one email to the owner when refused credentials break a connection (read back from maildev). Event data is
/// checked against the catalog's published JSON Schemas.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class ConnectionEventTests(TestServices services) : IAsyncLifetime
{
    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    private static readonly WebhookEventContract Contract = new(WebhookEventCatalog.All.Select(e => (e.Name, e.DataSchema.GetRawText())));
    private readonly SamGovFake _sam = new();
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, _sam.Url);

    [Fact]
    public async Task A_completed_sync_raises_integration_sync_completed_with_its_counts()
    {
        _sam.WithNotices(3).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        var events = await EventsAsync(tenant);
        var completed = Assert.Single(events, e => e.Type == WebhookEventCatalog.IntegrationSyncCompleted);
        Assert.DoesNotContain(events, e => e.Type is WebhookEventCatalog.IntegrationSyncFailed or WebhookEventCatalog.IntegrationConnectionBroken);
        Assert.Empty(Contract.Violations(completed.Type, completed.Data));
        var data = JsonDocument.Parse(completed.Data).RootElement;
        Assert.Equal((connection.Id.ToString(), sync.Id.ToString(), "sam_gov", "completed", 3, 3), (data.GetProperty("connectionId").GetString(),
            data.GetProperty("syncId").GetString(), data.GetProperty("kind").GetString(), data.GetProperty("status").GetString(),
            data.GetProperty("leadsCreated").GetInt32(), data.GetProperty("itemsSeen").GetInt32()));
    }

    [Fact]
    public async Task A_refused_key_raises_sync_failed_and_connection_broken_once_and_emails_the_owner_once()
    {
        _sam.WithNotices(2).Serving();
        var (tenant, slug) = await _bed.CreateTenantWithSlugAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, "revoked-key");

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "failed"), (first.Status, second.Status));
        var events = await EventsAsync(tenant);
        var failed = events.Where(e => e.Type == WebhookEventCatalog.IntegrationSyncFailed).ToList();
        var broken = Assert.Single(events, e => e.Type == WebhookEventCatalog.IntegrationConnectionBroken);
        Assert.Equal(2, failed.Count);
        Assert.All(events, e => Assert.Empty(Contract.Violations(e.Type, e.Data)));
        var brokenData = JsonDocument.Parse(broken.Data).RootElement;
        Assert.Equal((first.Id.ToString(), "unauthorized"), (brokenData.GetProperty("syncId").GetString(), brokenData.GetProperty("errorKind").GetString()));
        Assert.Contains("An invalid api_key was supplied", brokenData.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("unauthorized", JsonDocument.Parse(failed[0].Data).RootElement.GetProperty("errorKind").GetString());

        var mails = await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug), "needs to be connected again", atLeast: 1);
        var mail = Assert.Single(mails);
        Assert.Contains("SAM.gov HVAC", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("An invalid api_key was supplied", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-key", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vendor_that_stays_down_raises_sync_failed_without_breaking_the_connection()
    {
        _sam.Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"message":"Service Unavailable"}"""));
        var (tenant, slug) = await _bed.CreateTenantWithSlugAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        await _bed.SyncAsync(tenant, connection.Id);

        var events = await EventsAsync(tenant);
        var failed = Assert.Single(events);
        Assert.Equal(WebhookEventCatalog.IntegrationSyncFailed, failed.Type);
        Assert.Empty(Contract.Violations(failed.Type, failed.Data));
        Assert.Equal(("unavailable", 2), (JsonDocument.Parse(failed.Data).RootElement.GetProperty("errorKind").GetString(),
            JsonDocument.Parse(failed.Data).RootElement.GetProperty("retries").GetInt32()));
        Assert.Empty(await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug), "needs to be connected again", atLeast: 0));
    }

    private Task<List<(string Type, string Data)>> EventsAsync(Guid tenant) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, async scope => (await scope.Connection.QueryAsync<(string, string)>(scope.Command(
            "SELECT event_type, payload::text FROM webhook_messages WHERE event_type LIKE 'integration.%' ORDER BY occurred_at, id"))).ToList(), CancellationToken.None);

    /// <summary>The mails to <paramref name="to"/> about <paramref name="subjectContains"/>, once at least <paramref name="atLeast"/> arrived (or after a few seconds).</summary>
    private static async Task<List<JsonElement>> MailsAsync(string to, string subjectContains, int atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(atLeast == 0 ? 3 : 20);
        List<JsonElement> found = [];
        while (DateTime.UtcNow < deadline)
        {
            var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
            found = mails.EnumerateArray().Where(m =>
                m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.OrdinalIgnoreCase)).ToList();
            if (atLeast > 0 && found.Count >= atLeast)
            {
                // A second mail would come right behind the first; give it the chance to show.
                await Task.Delay(1000);
                mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
                return mails.EnumerateArray().Where(m =>
                    m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                    && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            await Task.Delay(200);
        }

        return found;
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _sam.Dispose();
    }
}
