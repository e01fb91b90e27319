using System.Text.Json;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources;
using StreamFlow.IntegrationTests.Connections;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>Google Local Services leads end to end: the connector against a fake of the documented Google Ads API and token endpoint, the real sync orchestration and database.</summary>
[Collection(ServicesCollection.Name)]
public sealed class GoogleLsaSyncTests(TestServices services) : IAsyncLifetime
{
    private readonly GoogleLsaFake _google = new(leads: 25, pageSize: 10);
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, "http://127.0.0.1:9", settings: new Dictionary<string, string?>
    {
        ["LeadSources:GoogleLsa:ApiBaseUrl"] = _google.Url,
        ["LeadSources:GoogleLsa:TokenUrl"] = $"{_google.Url}/token",
        ["LeadSources:GoogleLsa:ClientId"] = GoogleLsaFake.ClientId,
        ["LeadSources:GoogleLsa:ClientSecret"] = GoogleLsaFake.ClientSecret,
        ["LeadSources:GoogleLsa:DeveloperToken"] = GoogleLsaFake.DeveloperToken,
    });

    [Fact]
    public async Task Leads_page_in_by_page_token_as_one_lead_each_with_contact_type_charge_and_cost_and_a_second_sync_creates_none()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 25, 25, 0), (first.Status, first.ItemsSeen, first.LeadsCreated, first.ItemsFailed));
        Assert.Equal(3 + 1, first.Pages); // three pages of leads, then the feedback page
        Assert.Equal(("completed", 0, 0, 25), (second.Status, second.LeadsCreated, second.LeadsUpdated, second.ItemsSkipped));
        Assert.Equal(25, await _bed.CountLeadsAsync(tenant));
        Assert.Equal(1, _google.TokensIssued);
        var searches = _google.Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith("googleAds:search", StringComparison.Ordinal)).ToList();
        Assert.All(searches, e =>
        {
            Assert.Equal(GoogleLsaFake.DeveloperToken, e.RequestMessage.Headers!["developer-token"].Single());
            Assert.Equal(GoogleLsaFake.LoginCustomerId, e.RequestMessage.Headers!["login-customer-id"].Single());
            Assert.StartsWith("Bearer ya29.", e.RequestMessage.Headers!["Authorization"].Single(), StringComparison.Ordinal);
        });
        var bodies = searches.Take(3).Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement).ToList();
        Assert.False(bodies[0].TryGetProperty("pageToken", out _));
        Assert.True(bodies[1].TryGetProperty("pageToken", out _) && bodies[2].TryGetProperty("pageToken", out _));
        Assert.Contains("FROM local_services_lead WHERE local_services_lead.creation_date_time >= '", bodies[0].GetProperty("query").GetString(), StringComparison.Ordinal);

        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(1), GoogleLsaFake.ResourceName(3), GoogleLsaFake.ResourceName(4)], default);
        var message = await LeadAsync(tenant, known[GoogleLsaFake.ResourceName(1)]);
        Assert.Equal(("Casey", "Morgan1", "casey1@example.com", "Google Local Services"), (message.FirstName, message.LastName, message.Email, message.Source));
        Assert.Equal(("message", true, "xcat:service_area_business_plumber"), (Text(message, "googleLsaLeadType"), message.Attributes.GetProperty("googleLsaCharged").GetBoolean(),
            Text(message, "googleLsaCategory")));
        var phone = await LeadAsync(tenant, known[GoogleLsaFake.ResourceName(3)]);
        Assert.Equal(("phone", null), (Text(phone, "googleLsaLeadType"), phone.Email));
        Assert.EndsWith("5550003", phone.Phone, StringComparison.Ordinal);

        // The plumber category's price for a charged lead; an uncharged one (index 4) costs nothing.
        Assert.Equal(Money.Of(52.5m, "USD"), await CostAsync(tenant, known[GoogleLsaFake.ResourceName(1)]));
        Assert.Equal(Money.Of(0, "USD"), await CostAsync(tenant, known[GoogleLsaFake.ResourceName(4)]));
    }

    [Fact]
    public async Task A_consumer_who_is_already_a_lead_by_phone_is_merged_into_it_not_refused_as_a_duplicate()
    {
        var tenant = await _bed.CreateTenantAsync();
        var existing = await _bed.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", CanAssign: true),
            new LeadInput("Casey", null, null, null, "+1 512 555 0009", "Web form", null, null, null, null, null, "Called about a leak", null, null, null), mergeDuplicate: false, default);
        Assert.True(existing.Succeeded, existing.Problem?.ToString());
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 24, 1, 0), (sync.Status, sync.LeadsCreated, sync.LeadsUpdated, sync.ItemsFailed));
        Assert.Equal((0, 0), (again.LeadsCreated, again.ItemsFailed));
        Assert.Equal(25, await _bed.CountLeadsAsync(tenant));
        var linked = (await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(9)], default)).Values.Single();
        Assert.Equal(existing.Value.Lead.Id, linked);
        var merged = await LeadAsync(tenant, linked);
        Assert.Equal(("Web form", "Morgan9", "phone"), (merged.Source, merged.LastName, Text(merged, "googleLsaLeadType")));
    }

    [Fact]
    public async Task A_lead_credited_back_later_is_updated_and_its_cost_drops_to_zero()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var leadId = (await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(2)], default)).Values.Single();
        Assert.Equal(Money.Of(40, "USD"), await CostAsync(tenant, leadId));
        _google.Credit(2);

        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 0, 1), (again.Status, again.LeadsCreated, again.LeadsUpdated));
        Assert.Equal("credited", Text(await LeadAsync(tenant, leadId), "googleLsaCreditState"));
        Assert.Equal(Money.Of(0, "USD"), await CostAsync(tenant, leadId));
    }

    [Fact]
    public async Task Won_and_lost_leads_are_sent_back_as_lead_feedback_once()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(5), GoogleLsaFake.ResourceName(6), GoogleLsaFake.ResourceName(7)], default);
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(5)], new OutcomeInput("won", "1800.00", "USD", null));
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(6)], new OutcomeInput("lost", null, null, "Spam call, nobody on the line"));
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(7)], new OutcomeInput("lost", null, null, "Went with a competitor"));

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", "completed"), (sync.Status, again.Status));
        Assert.Equal(3, _google.FeedbackReceived.Count);
        var won = _google.FeedbackReceived[GoogleLsaFake.LeadId(5)];
        Assert.Equal(("VERY_SATISFIED", "BOOKED_CUSTOMER"), (won["surveyAnswer"]!.GetValue<string>(), won["surveySatisfied"]!["surveySatisfiedReason"]!.GetValue<string>()));
        var spam = _google.FeedbackReceived[GoogleLsaFake.LeadId(6)];
        Assert.Equal(("VERY_DISSATISFIED", "SPAM"), (spam["surveyAnswer"]!.GetValue<string>(), spam["surveyDissatisfied"]!["surveyDissatisfiedReason"]!.GetValue<string>()));
        var competitor = _google.FeedbackReceived[GoogleLsaFake.LeadId(7)];
        Assert.Equal(("NEUTRAL", 1), (competitor["surveyAnswer"]!.GetValue<string>(), competitor.Count));
        Assert.Equal(3, _google.Server.LogEntries.Count(e => e.RequestMessage.Path.EndsWith(":provideLeadFeedback", StringComparison.Ordinal)));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, sync.Id.ToString(), 50, null, default)).Value!;
        Assert.Equal(3, log.Items.Count(e => e.Entity == "lsa_feedback" && e.Action == "updated"));
        Assert.Contains(log.Items, e => e.LocalId == known[GoogleLsaFake.ResourceName(5)] && e.Reason == "won: VERY_SATISFIED (BOOKED_CUSTOMER)");
    }

    [Fact]
    public async Task Feedback_google_refuses_is_logged_as_failed_and_not_sent_again()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var leadId = (await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(8)], default)).Values.Single();
        _google.FeedbackReceived[GoogleLsaFake.LeadId(8)] = new System.Text.Json.Nodes.JsonObject(); // given in Google's own app already
        await CloseAsync(tenant, leadId, new OutcomeInput("won", "500.00", "USD", null));

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1), (sync.Status, sync.ItemsFailed));
        Assert.Single(_google.Server.LogEntries, e => e.RequestMessage.Path.EndsWith(":provideLeadFeedback", StringComparison.Ordinal));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, sync.Id.ToString(), 50, null, default)).Value!;
        Assert.Contains(log.Items, e => e.Action == "failed" && e.Reason!.Contains("already submitted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_and_the_call_tried_once_more()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        _google.ExpireAccessTokens();

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 0), (sync.Status, sync.Retries));
        Assert.Equal(2, _google.TokensIssued);
        Assert.Single(_google.Server.LogEntries, e => e.ResponseMessage.StatusCode is 401);
    }

    [Fact]
    public async Task A_token_refused_even_after_a_refresh_breaks_the_connection_at_once()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        _google.RefuseAllAccessTokens = true;

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unauthorized", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("Request had invalid authentication credentials", sync.Error, StringComparison.Ordinal);
        Assert.Equal(2, _google.Server.LogEntries.Count(e => e.ResponseMessage.StatusCode is 401));
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(("broken", "unauthorized"), (stored.Health, stored.LastError?.Kind));
        Assert.DoesNotContain(await _bed.Connections.DueAsync(1000, default), due => due.ConnectionId == connection.Id);
        Assert.Equal(0, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task A_revoked_refresh_token_breaks_the_connection()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        _google.RefreshTokenRevoked = true;

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unauthorized", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("invalid_grant", sync.Error, StringComparison.Ordinal);
        Assert.Equal("broken", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_the_same_page_runs_again()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        _google.Throttle(1);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 25), (sync.Status, sync.Retries, sync.LeadsCreated));
        Assert.Equal(25, await _bed.CountLeadsAsync(tenant));
    }

    [Theory]
    [InlineData(200, "<html><body>Error 502</body></html>")]
    [InlineData(200, """{"results": [{"campaign": {"id": "1"}}], "fieldMask": "campaign.id"}""")]
    [InlineData(503, """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""")]
    public async Task A_malformed_or_failing_answer_is_retried_then_the_sync_fails_as_unavailable(int status, string body)
    {
        _google.Server.Given(Request.Create().WithPath($"/v21/customers/{GoogleLsaFake.CustomerId}/googleAds:search").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unavailable", 2), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Equal(0, await _bed.CountLeadsAsync(tenant));
        Assert.Equal("error", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
    }

    [Fact]
    public async Task Settings_and_credentials_are_checked_field_by_field()
    {
        var tenant = await _bed.CreateTenantAsync();

        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("google_lsa", "LSA", JsonSerializer.SerializeToElement(new
        {
            loginCustomerId = "12-34", lookbackDays = 400, leadPrice = new { amount = "-3", currency = "usd" }, colour = "blue",
        }), new Dictionary<string, string> { ["refreshToken"] = "has spaces", ["apiKey"] = "x" }, "daily", true), default);

        Assert.Equal(
            ["credentials.apiKey", "credentials.refreshToken", "settings.colour", "settings.customerId", "settings.leadPrice.amount", "settings.leadPrice.currency",
             "settings.loginCustomerId", "settings.lookbackDays"],
            created.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    private async Task<ConnectionView> CreateAsync(Guid tenant)
    {
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("google_lsa", "Local Services", JsonSerializer.SerializeToElement(new
        {
            customerId = "123-456-7890", loginCustomerId = GoogleLsaFake.LoginCustomerId, lookbackDays = 30,
            leadPrice = new { amount = "40.00", currency = "USD" }, categoryPrices = new Dictionary<string, string> { ["xcat:service_area_business_plumber"] = "52.50" },
        }), new Dictionary<string, string> { ["refreshToken"] = GoogleLsaFake.RefreshToken }, "daily", true), default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value!;
    }

    private async Task CloseAsync(Guid tenant, Guid leadId, OutcomeInput outcome)
    {
        var none = new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        var updated = await _bed.Get<LeadService>().UpdateAsync(new LeadActor(tenant, "test", CanAssign: true), leadId, new LeadUpdate(none, outcome), default);
        Assert.True(updated.Succeeded, updated.Problem?.ToString());
    }

    private async Task<Money?> CostAsync(Guid tenant, Guid leadId) =>
        (await _bed.Get<SourceLeadWriter>().SourcesOfAsync(tenant, leadId, default)).Value!.Records.Single().Cost;

    private async Task<Lead> LeadAsync(Guid tenant, Guid id) => (await _bed.Get<LeadService>().GetAsync(tenant, id, includeDeleted: false, default)).Value!;

    private static string? Text(Lead lead, string attribute) =>
        lead.Attributes.TryGetProperty(attribute, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _google.Dispose();
    }
}
