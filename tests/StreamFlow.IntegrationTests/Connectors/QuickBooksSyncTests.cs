using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;
using StreamFlow.Core.Connectors.QuickBooks;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.IntegrationTests.Connections;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>QuickBooks Online end to end: OAuth2 with PKCE, the sync orchestration, the real database, a fake of Intuit's documented API.</summary>
[Collection(ServicesCollection.Name)]
public sealed partial class QuickBooksSyncTests(TestServices services) : IAsyncLifetime
{
    private const string Verifier = "intuit-verifier-token-for-tests";
    private readonly QuickBooksFake _qb = new();
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, "http://127.0.0.1:9", settings: new Dictionary<string, string?>
    {
        ["Connectors:QuickBooks:BaseUrl"] = _qb.Url,
        ["Connectors:QuickBooks:TokenUrl"] = $"{_qb.Url}/oauth2/v1/tokens/bearer",
        ["Connectors:QuickBooks:AuthorizationUrl"] = "https://appcenter.intuit.example/connect/oauth2",
        ["Connectors:QuickBooks:ClientId"] = QuickBooksFake.ClientId,
        ["Connectors:QuickBooks:ClientSecret"] = QuickBooksFake.ClientSecret,
        ["Connectors:QuickBooks:RedirectUri"] = "https://streamflow.example/api/v1/connectors/oauth/callback",
        ["Connectors:QuickBooks:WebhookVerifierToken"] = Verifier,
        ["Connectors:QuickBooks:LeadsPerPage"] = "7",
    });

    [Fact]
    public async Task Authorization_sends_a_S256_challenge_and_the_callback_exchanges_the_code_with_its_verifier_once()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await CreateAsync(tenant);

        var start = (await _bed.Get<OAuthAuthorizationService>().StartAsync(tenant, user, connection.Id, default)).Value!;
        var query = Query(start.AuthorizationUrl);
        var done = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(
            new Dictionary<string, string> { ["state"] = query["state"], ["code"] = QuickBooksFake.GoodCode, ["realmId"] = QuickBooksFake.Realm }, default);
        var replay = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(
            new Dictionary<string, string> { ["state"] = query["state"], ["code"] = QuickBooksFake.GoodCode, ["realmId"] = QuickBooksFake.Realm }, default);

        Assert.Equal(("code", "S256", QuickBooksFake.ClientId, "com.intuit.quickbooks.accounting"),
            (query["response_type"], query["code_challenge_method"], query["client_id"], query["scope"]));
        Assert.StartsWith($"{tenant:N}.", query["state"], StringComparison.Ordinal);
        var (grant, verifier) = Assert.Single(_qb.Grants);
        Assert.Equal("authorization_code", grant);
        Assert.Equal(query["code_challenge"], Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier!))));
        Assert.True(done.Succeeded, done.Problem?.ToString());
        Assert.Equal(ProblemKind.Gone, replay.Problem?.Kind);
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(QuickBooksFake.Realm, stored.Settings.GetProperty("realmId").GetString());
        Assert.DoesNotContain("eyJ-access", stored.Settings.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_that_is_forged_or_refused_by_the_owner_changes_nothing()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await CreateAsync(tenant);
        var start = (await _bed.Get<OAuthAuthorizationService>().StartAsync(tenant, user, connection.Id, default)).Value!;
        var state = Query(start.AuthorizationUrl)["state"];

        var forged = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(
            new Dictionary<string, string> { ["state"] = $"{tenant:N}.not-the-state", ["code"] = QuickBooksFake.GoodCode, ["realmId"] = QuickBooksFake.Realm }, default);
        var denied = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(
            new Dictionary<string, string> { ["state"] = state, ["error"] = "access_denied" }, default);
        var garbage = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(new Dictionary<string, string> { ["code"] = "x" }, default);

        Assert.Equal(ProblemKind.Gone, forged.Problem?.Kind);
        Assert.Equal(ProblemKind.Unprocessable, denied.Problem?.Kind);
        Assert.Equal((ProblemKind.Validation, "state"), (garbage.Problem?.Kind, garbage.Problem?.Errors?.Keys.Single()));
        Assert.Empty(_qb.Grants);
        Assert.False((await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Settings.TryGetProperty("realmId", out _));
    }

    [Fact]
    public async Task A_sync_pushes_won_leads_as_customers_and_invoices_once_and_a_second_sync_skips_them()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var won = new List<Lead>();
        for (var i = 0; i < 10; i++)
        {
            won.Add(await WonLeadAsync(tenant, $"Dana{i}", i % 3 == 0 ? null : $"{1000 + i}.50"));
        }

        await LeadAsync(tenant, "Open", null);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 10, 10 + 6), (first.Status, first.ItemsSeen, first.LeadsCreated));
        Assert.Equal(("completed", 0, 0, 16), (second.Status, second.LeadsCreated, second.LeadsUpdated, second.ItemsSkipped));
        Assert.Equal(10, _qb.Creates.Count(c => c.Entity == "Customer"));
        Assert.Equal(6, _qb.Creates.Count(c => c.Entity == "Invoice"));
        var invoice = _qb.Invoices().Single(i => i["DocNumber"]!.ToString() == QuickBooksConnector.DocNumber(won[1].Id));
        Assert.Equal(1001.50m, invoice["TotalAmt"]!.GetValue<decimal>());
        Assert.All(_qb.Server.LogEntries.Where(e => e.RequestMessage.Path.StartsWith("/v3/", StringComparison.Ordinal)),
            entry => Assert.Equal("75", entry.RequestMessage.Query!["minorversion"].Single()));
        Assert.All(_qb.Server.LogEntries.Where(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path.StartsWith("/v3/", StringComparison.Ordinal)),
            entry => Assert.Matches("^[0-9a-f]{36}$", entry.RequestMessage.Query!["requestid"].Single()));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, first.Id.ToString(), 100, null, default)).Value!;
        Assert.Equal(16, log.Items.Count(e => e.Action == "created"));
        var records = (await _bed.Get<ConnectorRecords>().ListAsync(tenant, connection.Id, "invoice", 100, null, default)).Value!;
        Assert.Equal(6, records.Items.Count);
        Assert.All(records.Items, r => Assert.Equal("open", r.RemoteStatus));
    }

    [Fact]
    public async Task Creates_whose_outcome_was_lost_are_sent_again_with_the_same_requestid_and_make_nothing_twice()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        for (var i = 0; i < 5; i++)
        {
            await WonLeadAsync(tenant, $"Kim{i}", "250.00");
        }

        await _bed.SyncAsync(tenant, connection.Id);
        await _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(scope.Command("DELETE FROM connector_records")), default);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal("completed", again.Status);
        Assert.Equal(5, _qb.Creates.Count(c => c.Entity == "Customer"));
        Assert.Equal(5, _qb.Creates.Select(c => c.DocNumber).OfType<string>().Distinct().Count());
        Assert.Equal(5, _qb.Creates.Count(c => c.Entity == "Invoice"));
        Assert.Equal(5, (await _bed.Get<ConnectorRecords>().ListAsync(tenant, connection.Id, "invoice", 100, null, default)).Value!.Items.Count);
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_and_the_call_retried_once()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        await WonLeadAsync(tenant, "Ira", "99.00");
        _qb.ExpireAccessTokens();

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 2), (sync.Status, sync.LeadsCreated));
        Assert.Equal(["authorization_code", "refresh_token"], _qb.Grants.Select(g => g.GrantType).ToArray());
    }

    [Fact]
    public async Task A_refused_refresh_breaks_the_connection_without_retrying_and_a_new_authorization_mends_it()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        await WonLeadAsync(tenant, "Lou", "120.00");
        _qb.ExpireAccessTokens();
        _qb.RevokeRefreshToken();

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unauthorized", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("invalid_grant", sync.Error, StringComparison.Ordinal);
        Assert.Equal(1, _qb.Grants.Count(g => g.GrantType == "refresh_token"));
        Assert.Equal("broken", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
        Assert.DoesNotContain(await _bed.Connections.DueAsync(1000, default), due => due.ConnectionId == connection.Id);

        await AuthorizeAsync(tenant, user, connection.Id);
        Assert.Equal("new", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
        Assert.Equal("completed", (await _bed.SyncAsync(tenant, connection.Id)).Status);
    }

    [Fact]
    public async Task A_changed_lead_updates_its_customer_and_a_stale_SyncToken_is_re_read_and_applied_again()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var lead = await WonLeadAsync(tenant, "Noor", null);
        await _bed.SyncAsync(tenant, connection.Id);
        var customerId = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer", lead.Id, default))!.ExternalId;
        _qb.EditCustomerInQuickBooks(customerId, "Prefers mornings");
        await _bed.Get<LeadService>().UpdateAsync(new LeadActor(tenant, "test", false), lead.Id,
            new LeadUpdate(Fields(phone: "+1 555 0199"), null), default);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1), (sync.Status, sync.LeadsUpdated));
        var customer = _qb.Customer(customerId);
        Assert.Equal(("+15550199", "Prefers mornings", "2"), (customer["PrimaryPhone"]!["FreeFormNumber"]!.ToString(), customer["Notes"]!.ToString(), customer["SyncToken"]!.ToString()));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, sync.Id.ToString(), 100, null, default)).Value!;
        Assert.Contains("stale SyncToken", Assert.Single(log.Items).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_customer_of_the_same_name_typed_in_by_the_bookkeeper_is_linked_instead_of_duplicated()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var lead = await WonLeadAsync(tenant, "Sami", null);
        var existing = _qb.AddCustomer($"Sami Reyes [{lead.Id.ToString("N")[^6..]}]");

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 0, 1), (sync.Status, sync.LeadsCreated, sync.LeadsUpdated));
        Assert.Equal(existing, (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer", lead.Id, default))!.ExternalId);
        Assert.Empty(_qb.Creates);
    }

    [Fact]
    public async Task Payments_read_back_with_cdc_mark_their_invoices_paid_or_partially_paid()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var full = await WonLeadAsync(tenant, "Pat", "300.00");
        var part = await WonLeadAsync(tenant, "Ray", "500.00");
        await _bed.SyncAsync(tenant, connection.Id);
        var invoices = _bed.Get<ConnectorRecords>();
        _qb.Pay((await invoices.FindAsync(tenant, connection.Id, "invoice", full.Id, default))!.ExternalId, 300m);
        _qb.Pay((await invoices.FindAsync(tenant, connection.Id, "invoice", part.Id, default))!.ExternalId, 200m);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 2), (sync.Status, sync.LeadsUpdated));
        var paid = (await invoices.FindAsync(tenant, connection.Id, "invoice", full.Id, default))!;
        var partly = (await invoices.FindAsync(tenant, connection.Id, "invoice", part.Id, default))!;
        Assert.Equal(("paid", 0m), (paid.RemoteStatus, paid.RemoteBalance));
        Assert.Equal(("partially_paid", 300m), (partly.RemoteStatus, partly.RemoteBalance));
        Assert.Contains(_qb.Server.LogEntries, e => e.RequestMessage.Path.EndsWith("/cdc", StringComparison.Ordinal)
            && e.RequestMessage.Query!["entities"].Single() == "Payment");
    }

    [Fact]
    public async Task The_throttle_is_waited_out_and_every_invoice_is_created_once()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        for (var i = 0; i < 6; i++)
        {
            await WonLeadAsync(tenant, $"Tay{i}", "10.00");
        }

        (_qb.RequestsPerMinute, _qb.ThrottleWindow) = (8, TimeSpan.FromSeconds(3));
        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal("completed", sync.Status);
        Assert.True(sync.Retries >= 1 && _qb.Throttled >= 1);
        Assert.Equal((6, 6), (_qb.Creates.Count(c => c.Entity == "Invoice"), _qb.Creates.Count(c => c.Entity == "Customer")));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, sync.Id.ToString(), 100, null, default)).Value!;
        Assert.Equal(12, log.Items.Count(e => e.Action == "created"));
    }

    [Fact]
    public async Task A_notification_with_a_wrong_intuit_signature_is_refused_and_a_signed_one_brings_the_sync_forward()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        await _bed.SyncAsync(tenant, connection.Id);
        var scheduled = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.NextSyncAt;
        var body = Encoding.UTF8.GetBytes($$$"""{"eventNotifications":[{"realmId":"{{{QuickBooksFake.Realm}}}","dataChangeEvent":{"entities":[{"name":"Payment","id":"7","operation":"Create","lastUpdated":"2026-12-01T10:00:00-0700"}]}}]}""");
        var notifications = _bed.Get<QuickBooksNotifications>();

        var forged = await notifications.ReceiveAsync(body, Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("not-the-verifier"), body)), default);
        var missing = await notifications.ReceiveAsync(body, null, default);
        var unchanged = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.NextSyncAt;
        var signed = await notifications.ReceiveAsync(body, Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Verifier), body)), default);

        Assert.Equal((ProblemKind.Unauthorized, ProblemKind.Unauthorized), (forged.Problem?.Kind, missing.Problem?.Kind));
        Assert.Equal(scheduled, unchanged);
        Assert.True(signed.Succeeded);
        Assert.True(signed.Value!.ConnectionsQueued >= 1);
        Assert.Contains(await _bed.Connections.DueAsync(1000, default), due => due.ConnectionId == connection.Id);
    }

    [Theory]
    [InlineData(503, """{"Fault":{"Error":[{"Message":"Service Unavailable","code":"503"}]}}""")]
    [InlineData(200, """{"Customer": {"Id": """)]
    public async Task A_failing_or_garbled_answer_is_retried_with_backoff_then_fails_with_the_vendors_message(int status, string body)
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        await WonLeadAsync(tenant, "Vic", null);
        _qb.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/v3/company/.*/customer$")).UsingPost()).AtPriority(1)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unavailable", 2), (sync.Status, sync.ErrorKind, sync.Retries));
        if (status == 503)
        {
            Assert.Contains("Service Unavailable", sync.Error, StringComparison.Ordinal);
        }

        Assert.Equal("error", (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!.Health);
    }

    private async Task<(Guid Tenant, Guid User)> TenantAsync()
    {
        var tenant = await _bed.CreateTenantAsync();
        var user = await _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<Guid>(scope.Command("SELECT id FROM users LIMIT 1")), default);
        return (tenant, user);
    }

    private async Task<ConnectionView> CreateAsync(Guid tenant)
    {
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection("quickbooks", "Books", JsonSerializer.SerializeToElement(new { }), null, "hourly", true), default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value!;
    }

    private async Task<ConnectionView> ConnectedAsync(Guid tenant, Guid user)
    {
        var connection = await CreateAsync(tenant);
        await AuthorizeAsync(tenant, user, connection.Id);
        return connection;
    }

    private async Task AuthorizeAsync(Guid tenant, Guid user, Guid connectionId)
    {
        var start = (await _bed.Get<OAuthAuthorizationService>().StartAsync(tenant, user, connectionId, default)).Value!;
        var done = await _bed.Get<OAuthAuthorizationService>().CompleteAsync(new Dictionary<string, string>
        {
            ["state"] = Query(start.AuthorizationUrl)["state"], ["code"] = QuickBooksFake.GoodCode, ["realmId"] = QuickBooksFake.Realm,
        }, default);
        Assert.True(done.Succeeded, done.Problem?.ToString());
    }

    private async Task<Lead> LeadAsync(Guid tenant, string firstName, string? phone) =>
        (await _bed.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", false), Fields(firstName, phone), mergeDuplicate: false, default)).Value.Lead;

    private async Task<Lead> WonLeadAsync(Guid tenant, string firstName, string? amount)
    {
        var lead = await LeadAsync(tenant, firstName, null);
        var won = await _bed.Get<LeadService>().UpdateAsync(new LeadActor(tenant, "test", false), lead.Id,
            new LeadUpdate(Fields(), new OutcomeInput("won", amount ?? "0.00", "USD", null)), default);
        Assert.True(won.Succeeded, won.Problem?.ToString());
        return won.Value!;
    }

    private static LeadInput Fields(string? firstName = null, string? phone = null) =>
        new(firstName, firstName is null ? null : "Reyes", null, firstName is null ? null : $"{firstName.ToLowerInvariant()}@example.com", phone, null, null, "78701", "TX", "Austin",
            null, null, null, null, null);

    private static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair[1]), StringComparer.Ordinal);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _qb.Dispose();
    }
}
