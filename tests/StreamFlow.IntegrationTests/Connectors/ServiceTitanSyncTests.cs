using System.Text.Json;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources;
using StreamFlow.IntegrationTests.Connections;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>ServiceTitan imports end to end: client credentials + ST-App-Key against a fake of the documented API, the real sync orchestration and database.</summary>
[Collection(ServicesCollection.Name)]
public sealed class ServiceTitanSyncTests(TestServices services) : IAsyncLifetime
{
    private readonly ServiceTitanFake _st = new(customers: 30, jobs: 60);
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, "http://127.0.0.1:9", settings: new Dictionary<string, string?>
    {
        ["Connectors:ServiceTitan:BaseUrl"] = _st.Url,
        ["Connectors:ServiceTitan:TokenUrl"] = $"{_st.Url}/connect/token",
        ["Connectors:ServiceTitan:PageSize"] = "25",
    });

    [Fact]
    public async Task Customers_locations_and_jobs_page_in_as_leads_with_outcomes_and_a_second_sync_changes_nothing()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 30 + 30 + 60, 90), (first.Status, first.ItemsSeen, first.LeadsCreated));
        Assert.Equal(2 + 2 + 1 + 3, first.Pages); // locations, customers, locations left over (none), jobs
        Assert.Equal(("completed", 0, 0, 0), (second.Status, second.ItemsSeen, second.LeadsCreated, second.LeadsUpdated));
        Assert.Equal(90, await _bed.CountLeadsAsync(tenant));
        var requests = _st.Server.LogEntries.Where(e => e.RequestMessage.Path.Contains("/v2/tenant/", StringComparison.Ordinal)).ToList();
        Assert.All(requests, e => Assert.Equal(ServiceTitanFake.AppKey, e.RequestMessage.Headers!["ST-App-Key"].Single()));
        Assert.Equal(["1", "2"], requests.Where(e => e.RequestMessage.Path.EndsWith("/customers", StringComparison.Ordinal)).Take(2).Select(e => e.RequestMessage.Query!["page"].Single()));
        Assert.All(requests.Skip(7), e => Assert.True(e.RequestMessage.Query!.ContainsKey("modifiedOnOrAfter")));

        var writer = _bed.Get<SourceLeadWriter>();
        var known = await writer.KnownAsync(tenant, "servicetitan",
            [$"customer:{ServiceTitanFake.CustomerId(1)}", $"customer:{ServiceTitanFake.CustomerId(5)}", $"job:{ServiceTitanFake.JobId(1)}", $"job:{ServiceTitanFake.JobId(2)}", $"job:{ServiceTitanFake.JobId(3)}"], default);
        var person = await LeadAsync(tenant, known[$"customer:{ServiceTitanFake.CustomerId(1)}"]);
        var company = await LeadAsync(tenant, known[$"customer:{ServiceTitanFake.CustomerId(5)}"]);
        Assert.Equal(("Jordan", "Lee1", "Round Rock", "78664", "ServiceTitan"), (person.FirstName, person.LastName, person.City, person.PostalCode, person.Source));
        Assert.Equal("Oakridge Dental 5", company.Company);
        Assert.StartsWith("Main office, 105 Oak St", company.Attributes.GetProperty($"serviceTitanLocation{3_000_005}").GetString(), StringComparison.Ordinal);
        var completed = await LeadAsync(tenant, known[$"job:{ServiceTitanFake.JobId(1)}"]);
        var canceled = await LeadAsync(tenant, known[$"job:{ServiceTitanFake.JobId(2)}"]);
        var scheduled = await LeadAsync(tenant, known[$"job:{ServiceTitanFake.JobId(3)}"]);
        Assert.Equal(("won", "lost", (string?)null), (completed.Outcome?.Status, canceled.Outcome?.Status, scheduled.Outcome?.Status));
        Assert.Equal(("Jordan", "70001"), (completed.FirstName, completed.Attributes.GetProperty("serviceTitanJobNumber").GetString()));
    }

    [Fact]
    public async Task A_job_changed_since_the_last_sync_is_read_again_and_its_lead_closed()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        _st.ChangeJob(3, "Completed");

        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 0, 1), (again.Status, again.ItemsSeen, again.LeadsCreated, again.LeadsUpdated));
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "servicetitan", [$"job:{ServiceTitanFake.JobId(3)}"], default);
        Assert.Equal("won", (await LeadAsync(tenant, known.Values.Single())).Outcome?.Status);
    }

    [Fact]
    public async Task A_location_changed_alone_is_put_on_its_customers_lead_by_the_next_sync()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        _st.ChangeLocation(7, "Rental unit");

        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 0, 1), (again.Status, again.ItemsSeen, again.LeadsCreated, again.LeadsUpdated));
        var known = await _bed.Get<SourceLeadWriter>().KnownAsync(tenant, "servicetitan", [$"customer:{ServiceTitanFake.CustomerId(7)}"], default);
        var lead = await LeadAsync(tenant, known.Values.Single());
        Assert.StartsWith("Rental unit, 107 Oak St", lead.Attributes.GetProperty($"serviceTitanLocation{ServiceTitanFake.LocationId(7)}").GetString(), StringComparison.Ordinal);
        Assert.Equal(90, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task An_expired_token_is_replaced_once_and_wrong_credentials_break_the_connection()
    {
        var tenant = await _bed.CreateTenantAsync();
        var good = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, good.Id);
        _st.ExpireTokens();
        var sync = await _bed.SyncAsync(tenant, good.Id);
        var bad = await CreateAsync(tenant, clientSecret: "wrong-secret");

        var refused = await _bed.SyncAsync(tenant, bad.Id);

        Assert.Equal("completed", sync.Status);
        Assert.Equal(2, _st.TokensIssued);
        Assert.Single(_st.Server.LogEntries, e => e.ResponseMessage.StatusCode is 401);
        Assert.Equal(("failed", "unauthorized", 0), (refused.Status, refused.ErrorKind, refused.Retries));
        Assert.Contains("invalid_client", refused.Error, StringComparison.Ordinal);
        Assert.Equal("broken", (await _bed.Connections.GetAsync(tenant, bad.Id, default)).Value!.Health);
    }

    [Fact]
    public async Task A_5xx_is_retried_with_backoff_then_the_sync_fails_with_ServiceTitans_message()
    {
        _st.Server.Given(Request.Create().WithPath($"/crm/v2/tenant/{ServiceTitanFake.Tenant}/customers").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(502).WithHeader("Content-Type", "application/json").WithBody("""{"title":"Upstream timed out","status":502}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unavailable", 2), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("Upstream timed out", sync.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_StreamFlow_leads_become_bookings_once_even_when_an_answer_is_lost()
    {
        var tenant = await _bed.CreateTenantAsync();
        var lead = _bed.Get<LeadService>();
        var actor = new LeadActor(tenant, "test", CanAssign: false);
        var first = await lead.CreateAsync(actor, new LeadInput("Ana", "Diaz", null, "ana@example.com", "+15125550100", "website", null, "78701", "TX", "Austin", "US",
            "AC blowing warm air", null, null, null), mergeDuplicate: false, default);
        var second = await lead.CreateAsync(actor, new LeadInput(null, null, "Oak Dental", "office@oak.example.com", null, "referral", null, null, null, null, null, null, null, null, null), mergeDuplicate: false, default);
        Assert.True(first.Succeeded && second.Succeeded);
        var connection = await CreateAsync(tenant, new { tenantId = ServiceTitanFake.Tenant, bookingProviderId = ServiceTitanFake.BookingProvider });
        _st.LoseNextBookingAnswer();

        var lost = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal("completed", again.Status);
        Assert.Equal(2, _st.BookingsCreated.Count);
        Assert.Equal(2, _st.BookingPosts);
        var ana = _st.BookingsCreated[first.Value.Lead.Id.ToString()];
        Assert.Equal(("StreamFlow", "Ana Diaz", "AC blowing warm air", "Residential", "Austin"),
            (ana["source"]!.GetValue<string>(), ana["name"]!.GetValue<string>(), ana["summary"]!.GetValue<string>(), ana["customerType"]!.GetValue<string>(),
             ana["address"]!["city"]!.GetValue<string>()));
        Assert.Equal("Commercial", _st.BookingsCreated[second.Value.Lead.Id.ToString()]["customerType"]!.GetValue<string>());
        var mapped = (await _bed.Get<ConnectorRecords>().ListAsync(tenant, connection.Id, "booking", 10, null, default)).Value!.Items;
        Assert.Equal(2, mapped.Count);
        Assert.All(mapped, r => Assert.Equal("booked", r.RemoteStatus));
        Assert.Equal(_st.BookingsCreated[first.Value.Lead.Id.ToString()]["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture),
            mapped.Single(r => r.LocalId == first.Value.Lead.Id).ExternalId);
        Assert.Equal("completed", lost.Status);
    }

    [Fact]
    public async Task A_lead_changed_after_its_booking_updates_the_booking_once_and_a_dismissed_one_is_not_asked_again()
    {
        var tenant = await _bed.CreateTenantAsync();
        var leads = _bed.Get<LeadService>();
        var actor = new LeadActor(tenant, "test", CanAssign: false);
        var ana = (await leads.CreateAsync(actor, new LeadInput("Ana", "Diaz", null, "ana2@example.com", null, "website", null, "78701", "TX", "Austin", "US",
            "AC blowing warm air", null, null, null), mergeDuplicate: false, default)).Value.Lead;
        var oak = (await leads.CreateAsync(actor, new LeadInput(null, null, "Oak Dental", "desk@oak.example.com", null, "referral", null, null, null, null, null,
            "Quote for two rooftop units", null, null, null), mergeDuplicate: false, default)).Value.Lead;
        var connection = await CreateAsync(tenant, new { tenantId = ServiceTitanFake.Tenant, bookingProviderId = ServiceTitanFake.BookingProvider });
        await _bed.SyncAsync(tenant, connection.Id);
        var none = await _bed.SyncAsync(tenant, connection.Id);
        Assert.True((await leads.UpdateAsync(actor, ana.Id, new LeadUpdate(Blank() with { City = "Round Rock", PostalCode = "78664", Notes = "AC dead, two kids at home" }, null), default)).Succeeded);
        Assert.True((await leads.UpdateAsync(actor, oak.Id, new LeadUpdate(Blank() with { Notes = "Quote for three rooftop units" }, null), default)).Succeeded);
        _st.DismissBooking(oak.Id.ToString());

        var changed = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal((0, 0), (none.LeadsUpdated, none.ItemsFailed));
        Assert.Equal(("completed", 1, 1), (changed.Status, changed.LeadsUpdated, changed.ItemsFailed));
        Assert.Equal(("completed", 0, 0, 0), (again.Status, again.LeadsCreated, again.LeadsUpdated, again.ItemsFailed));
        Assert.Equal((2, 1), (_st.BookingPosts, _st.BookingUpdates));
        var booking = _st.BookingsCreated[ana.Id.ToString()];
        Assert.Equal(("AC dead, two kids at home", "Round Rock", "78664"),
            (booking["summary"]!.GetValue<string>(), booking["address"]!["city"]!.GetValue<string>(), booking["address"]!["zip"]!.GetValue<string>()));
        Assert.Equal("Quote for two rooftop units", _st.BookingsCreated[oak.Id.ToString()]["summary"]!.GetValue<string>());
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, changed.Id.ToString(), 100, null, default)).Value!;
        Assert.Contains(log.Items, e => e.Action == "failed" && e.LocalId == oak.Id && e.Reason!.Contains("ServiceTitan refused the update: ServiceTitan refused the request (400)", StringComparison.Ordinal));
    }

    private static LeadInput Blank() => new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    [Fact]
    public async Task A_connection_needs_its_tenant_id_and_all_three_credentials()
    {
        var tenant = await _bed.CreateTenantAsync();

        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("servicetitan", "ST", JsonSerializer.SerializeToElement(new { tenantId = "abc" }),
            new Dictionary<string, string> { ["clientId"] = ServiceTitanFake.ClientId }, "daily", true), default);

        Assert.Equal(["credentials.appKey", "credentials.clientSecret", "settings.tenantId"], created.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    private async Task<ConnectionView> CreateAsync(Guid tenant, object settings, string clientSecret = ServiceTitanFake.ClientSecret)
    {
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("servicetitan", "ServiceTitan", JsonSerializer.SerializeToElement(settings),
            new Dictionary<string, string> { ["clientId"] = ServiceTitanFake.ClientId, ["clientSecret"] = clientSecret, ["appKey"] = ServiceTitanFake.AppKey }, "daily", true), default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value!;
    }

    private Task<ConnectionView> CreateAsync(Guid tenant, string clientSecret = ServiceTitanFake.ClientSecret) =>
        CreateAsync(tenant, new { tenantId = ServiceTitanFake.Tenant }, clientSecret);

    private async Task<Lead> LeadAsync(Guid tenant, Guid id) => (await _bed.Get<LeadService>().GetAsync(tenant, id, includeDeleted: false, default)).Value!;

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _st.Dispose();
    }
}
