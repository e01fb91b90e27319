using System.Text.Json;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources;
using StreamFlow.IntegrationTests.Connections;
using StreamFlow.Orchestrations.Connections;
using StreamFlow.Orchestrations.LeadSources;
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
        Assert.Equal(3 + 1 + 1, first.Pages); // three pages of leads, one (empty) of conversations, then the feedback page
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
    public async Task Calls_and_messages_reach_their_leads_timeline_once_with_duration_recording_presence_and_text()
    {
        _google.Conversations = true;
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        // 25 leads, then 26 conversations in pages of 10 (one of a lead Google never listed, skipped), then feedback.
        Assert.Equal(("completed", 3 + 3 + 1, 25, 25, 1, 0), (first.Status, first.Pages, first.LeadsCreated, first.LeadsUpdated, first.ItemsSkipped, first.ItemsFailed));
        Assert.Equal(("completed", 0, 0, 25 + 26), (second.Status, second.LeadsCreated, second.LeadsUpdated, second.ItemsSkipped));
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa",
            [GoogleLsaFake.ResourceName(3), GoogleLsaFake.ResourceName(6), GoogleLsaFake.ResourceName(1)], default);

        var unrecorded = await ConversationAsync(tenant, known[GoogleLsaFake.ResourceName(3)]);
        Assert.StartsWith("Phone call from the consumer on ", unrecorded.Body, StringComparison.Ordinal);
        Assert.EndsWith(", 1 min 3 s; no recording.", unrecorded.Body, StringComparison.Ordinal);
        Assert.Equal(($"connection:{connection.Id}", 63, false), (unrecorded.Actor, unrecorded.Data.GetProperty("callDurationSeconds").GetInt32(),
            unrecorded.Data.GetProperty("callRecorded").GetBoolean()));

        var recorded = await ConversationAsync(tenant, known[GoogleLsaFake.ResourceName(6)]);
        Assert.EndsWith(", 1 min 6 s; a recording is in Google Local Services.", recorded.Body, StringComparison.Ordinal);
        Assert.True(recorded.Data.GetProperty("callRecorded").GetBoolean());
        Assert.DoesNotContain("recordings/", recorded.Data.GetRawText() + recorded.Body, StringComparison.Ordinal);

        var message = await ConversationAsync(tenant, known[GoogleLsaFake.ResourceName(1)]);
        Assert.StartsWith("Message from the consumer on ", message.Body, StringComparison.Ordinal);
        Assert.EndsWith(": Hi, my kitchen drain is blocked again (lead 1). (1 attachment in Google Local Services)", message.Body, StringComparison.Ordinal);
        Assert.Equal(($"customers/{GoogleLsaFake.CustomerId}/localServicesLeadConversations/{GoogleLsaFake.ConversationId(1)}", "message", 1),
            (message.Data.GetProperty("googleLsaConversation").GetString(), message.Data.GetProperty("channel").GetString(), message.Data.GetProperty("attachmentCount").GetInt32()));
    }

    [Fact]
    public async Task A_conversation_search_answered_with_rows_that_are_not_conversations_is_retried_then_the_sync_fails_as_unavailable()
    {
        _google.Server.Given(Request.Create().WithPath($"/v21/customers/{GoogleLsaFake.CustomerId}/googleAds:search").UsingPost()
                .WithBody(new WireMock.Matchers.WildcardMatcher("*FROM local_services_lead_conversation *"))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"results": [{"localServicesLead": {"resourceName": "customers/1234567890/localServicesLeads/1"}}], "fieldMask": "localServicesLead.resourceName"}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unavailable", 2, 25), (sync.Status, sync.ErrorKind, sync.Retries, sync.LeadsCreated));
        Assert.Equal(25, await _bed.CountLeadsAsync(tenant));
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
    public async Task A_lead_won_or_lost_is_told_to_Google_by_a_feedback_only_sync_without_waiting_for_the_next_one()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var before = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        var searches = Calls("googleAds:search");
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(5), GoogleLsaFake.ResourceName(6)], default);
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(5)], new OutcomeInput("won", "900.00", "USD", null));
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(6)], new OutcomeInput("lost", null, null, "A robocall"));

        var sync = await FeedbackSyncAsync(tenant, connection.Id);

        Assert.Equal(("feedback", "completed", 1, 0), (sync.Trigger, sync.Status, sync.Pages, sync.ItemsFailed));
        Assert.Equal([GoogleLsaFake.LeadId(5), GoogleLsaFake.LeadId(6)], _google.FeedbackReceived.Keys.Order());
        Assert.Equal("VERY_DISSATISFIED", _google.FeedbackReceived[GoogleLsaFake.LeadId(6)]["surveyAnswer"]!.GetValue<string>());
        Assert.Equal(searches, Calls("googleAds:search")); // no leads read
        var after = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal((before.NextSyncAt, "ok"), (after.NextSyncAt, after.Health)); // the schedule is not pushed back

        // Nothing is owed any more: the timer opens no other sync for it, and the next full sync sends nothing again.
        await _bed.Get<LocalServicesFeedbackStarter>().StartDueAsync(_bed.Durable, default);
        Assert.Equal(sync.Id, (await _bed.Connections.ListSyncsAsync(tenant, connection.Id, 10, null, default)).Value!.Items[0].Id);
        await _bed.SyncAsync(tenant, connection.Id);
        Assert.Equal(2, Calls(":provideLeadFeedback"));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Feedback_answered_5xx_or_429_is_tried_again_and_reaches_Google_exactly_once(int status)
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(10), GoogleLsaFake.ResourceName(11)], default);
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(10)], new OutcomeInput("won", "300.00", "USD", null));
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(11)], new OutcomeInput("lost", null, null, "Chose a competitor"));
        _google.FailFeedback(1, status);

        var sync = await FeedbackSyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 0), (sync.Status, sync.Retries, sync.ItemsFailed));
        Assert.Equal([GoogleLsaFake.LeadId(10), GoogleLsaFake.LeadId(11)], _google.FeedbackReceived.Keys.Order());
        var calls = _google.Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith(":provideLeadFeedback", StringComparison.Ordinal)).ToList();
        Assert.Equal((3, 1, 2), (calls.Count, calls.Count(e => (int)e.ResponseMessage.StatusCode! == status), calls.Count(e => (int)e.ResponseMessage.StatusCode! == 200)));
    }

    [Fact]
    public async Task Feedback_Google_refuses_in_a_feedback_only_sync_is_not_sent_again_by_the_next_one()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", [GoogleLsaFake.ResourceName(12), GoogleLsaFake.ResourceName(13)], default);
        _google.FeedbackReceived[GoogleLsaFake.LeadId(12)] = new System.Text.Json.Nodes.JsonObject(); // given in Google's own app already
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(12)], new OutcomeInput("won", "500.00", "USD", null));

        var refused = await FeedbackSyncAsync(tenant, connection.Id);
        await CloseAsync(tenant, known[GoogleLsaFake.ResourceName(13)], new OutcomeInput("won", "700.00", "USD", null));
        var next = await FeedbackSyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1), (refused.Status, refused.ItemsFailed));
        Assert.Equal(("completed", 0), (next.Status, next.ItemsFailed));
        Assert.Equal(2, Calls(":provideLeadFeedback"));
        Assert.Single(_google.Server.LogEntries, e => e.RequestMessage.Path.EndsWith($"{GoogleLsaFake.LeadId(12)}:provideLeadFeedback", StringComparison.Ordinal));
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
    public async Task A_revoked_refresh_token_breaks_the_connection_and_emails_the_owner_once()
    {
        var (tenant, slug) = await _bed.CreateTenantWithSlugAsync();
        var connection = await CreateAsync(tenant);
        _google.RefreshTokenRevoked = true;

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unauthorized", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Equal(("failed", "unauthorized"), (again.Status, again.ErrorKind));
        Assert.Contains("invalid_grant", sync.Error, StringComparison.Ordinal);
        Assert.Equal("broken", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
        var mail = Assert.Single(await MailsAsync(ConnectionTestBed.OwnerEmailOf(slug), "needs to be connected again"));
        Assert.Contains("Local Services", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("invalid_grant", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GoogleLsaFake.RefreshToken, mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task A_429_without_Retry_After_or_retry_delay_is_the_spent_daily_quota_surfaced_and_not_retried()
    {
        _google.Server.Given(Request.Create().WithPath($"/v21/customers/{GoogleLsaFake.CustomerId}/googleAds:search").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/json").WithBody("""
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[
                  {"@type":"type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure","errors":[{"errorCode":{"quotaError":"RESOURCE_EXHAUSTED"},
                   "message":"Number of operations for basic access has been exceeded."}],"requestId":"q1"}]}}
                """));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "quotaExceeded", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("Number of operations for basic access has been exceeded", sync.Error, StringComparison.Ordinal);
        Assert.Equal(1, Calls("googleAds:search"));
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(("error", "quotaExceeded"), (stored.Health, stored.LastError?.Kind));
    }

    [Fact]
    public async Task A_page_that_fails_after_earlier_pages_were_stored_runs_again_and_makes_no_second_lead()
    {
        // The first search with a page token (the second page) answers 503 once; the first page is stored by then.
        _google.Server.Given(Request.Create().WithPath($"/v21/customers/{GoogleLsaFake.CustomerId}/googleAds:search").UsingPost()
                .WithBody(new WireMock.Matchers.WildcardMatcher("*pageToken*"))).InScenario("second-page").WillSetStateTo("recovered").AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 25, 0), (sync.Status, sync.Retries, sync.LeadsCreated, sync.ItemsFailed));
        Assert.Equal((0, 0), (again.LeadsCreated, again.ItemsFailed));
        Assert.Equal(25, await _bed.CountLeadsAsync(tenant));
        Assert.Equal(25, (await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "google_lsa", Enumerable.Range(0, 25).Select(GoogleLsaFake.ResourceName).ToList(), default)).Values.Distinct().Count());
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

    /// <summary>Runs the feedback timer's work once and waits for the feedback-only sync it opened for the connection.</summary>
    private async Task<ConnectionSyncView> FeedbackSyncAsync(Guid tenant, Guid connectionId)
    {
        await _bed.Get<LocalServicesFeedbackStarter>().StartDueAsync(_bed.Durable, default);
        var sync = (await _bed.Connections.ListSyncsAsync(tenant, connectionId, 10, null, default)).Value!.Items[0];
        Assert.Equal("feedback", sync.Trigger);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _bed.Durable.WaitForInstanceCompletionAsync(ConnectionSyncLauncher.InstanceId(sync.Id), getInputsAndOutputs: false, timeout.Token);
        return (await _bed.Connections.GetSyncAsync(tenant, connectionId, sync.Id.ToString(), default)).Value!;
    }

    /// <summary>The mails to <paramref name="to"/> about <paramref name="subjectContains"/>, after the first arrived and a second had the chance to.</summary>
    private static async Task<List<JsonElement>> MailsAsync(string to, string subjectContains)
    {
        using var maildev = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")) };
        async Task<List<JsonElement>> ReadAsync() => (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement>(maildev, "/api/email")).EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.OrdinalIgnoreCase)).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && (await ReadAsync()).Count == 0)
        {
            await Task.Delay(200);
        }

        await Task.Delay(1000);
        return await ReadAsync();
    }

    /// <summary>The lead's one conversation entry on its timeline.</summary>
    private async Task<LeadActivity> ConversationAsync(Guid tenant, Guid leadId) =>
        Assert.Single((await _bed.Get<LeadService>().ActivitiesAsync(tenant, leadId, 50, null, default)).Value!.Items, a => a.Kind == "conversation");

    private int Calls(string pathEnd) => _google.Server.LogEntries.Count(e => e.RequestMessage.Path.EndsWith(pathEnd, StringComparison.Ordinal));

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
