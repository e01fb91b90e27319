using Dapper;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

[Collection(ServicesCollection.Name)]
public sealed class WebhookEndpointServiceTests(TestServices services) : IAsyncLifetime
{
    private WebhookHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await WebhookHarness.StartAsync(services);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Creating_an_endpoint_returns_its_secret_once_and_stores_it_encrypted()
    {
        var tenant = await _harness.CreateTenantAsync();

        var created = await _harness.CreateEndpointAsync(tenant, "https://hooks.example.com/in", ["lead.created"]);

        var stored = await _harness.Database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<byte[]>(scope.Command(
            "SELECT secret_ciphertext FROM webhook_endpoints WHERE id = @id", new { id = created.Id })), CancellationToken.None);
        var read = (await _harness.Endpoints.GetAsync(tenant, created.Id, CancellationToken.None)).Value!;
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Secret["whsec_".Length..], System.Text.Encoding.Latin1.GetString(stored!), StringComparison.Ordinal);
        Assert.Equal(["lead.created"], read.EventTypes);
        Assert.True(read.Enabled);
    }

    [Fact]
    public async Task Invalid_urls_unknown_event_types_and_oversized_headers_are_field_errors()
    {
        var tenant = await _harness.CreateTenantAsync();

        var result = await _harness.Endpoints.CreateAsync(tenant, new CreateWebhookEndpoint(
            "https://169.254.169.254/latest", ["lead.vanished"], Headers: Enumerable.Range(0, 30).ToDictionary(i => $"X-H{i}", _ => "v")), CancellationToken.None);

        Assert.Equal(ProblemKind.Validation, result.Problem?.Kind);
        Assert.Equal(["eventTypes", "headers", "url"], result.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_partial_update_changes_only_the_given_fields()
    {
        var tenant = await _harness.CreateTenantAsync();
        var created = await _harness.CreateEndpointAsync(tenant, "https://hooks.example.com/in", ["lead.created"]);

        var updated = await _harness.Endpoints.UpdateAsync(tenant, created.Id, new UpdateWebhookEndpoint(Description: "CRM sync", RateLimitPerSecond: 5), CancellationToken.None);
        var cleared = await _harness.Endpoints.UpdateAsync(tenant, created.Id, new UpdateWebhookEndpoint(RateLimitPerSecond: 0), CancellationToken.None);

        Assert.Equal("CRM sync", updated.Value!.Description);
        Assert.Equal(5, updated.Value.RateLimitPerSecond);
        Assert.Equal("https://hooks.example.com/in", updated.Value.Url);
        Assert.Equal(["lead.created"], updated.Value.EventTypes);
        Assert.Null(cleared.Value!.RateLimitPerSecond);
    }

    [Fact]
    public async Task Disabling_by_hand_and_re_enabling_records_the_reason_and_clears_it()
    {
        var tenant = await _harness.CreateTenantAsync();
        var created = await _harness.CreateEndpointAsync(tenant, "https://hooks.example.com/in");

        var disabled = (await _harness.Endpoints.UpdateAsync(tenant, created.Id, new UpdateWebhookEndpoint(Enabled: false), CancellationToken.None)).Value!;
        var enabled = (await _harness.Endpoints.EnableAsync(tenant, created.Id, CancellationToken.None)).Value!;

        Assert.Equal((false, WebhookDisabledReason.Manual), (disabled.Enabled, disabled.DisabledReason));
        Assert.NotNull(disabled.DisabledAt);
        Assert.Equal((true, (WebhookDisabledReason?)null, (DateTimeOffset?)null), (enabled.Enabled, enabled.DisabledReason, enabled.DisabledAt));
    }

    [Fact]
    public async Task Endpoints_are_listed_in_pages_with_a_cursor()
    {
        var tenant = await _harness.CreateTenantAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _harness.CreateEndpointAsync(tenant, $"https://hooks{i}.example.com/in")).Id);
        }

        var first = (await _harness.Endpoints.ListAsync(tenant, 2, null, CancellationToken.None)).Value!;
        var second = (await _harness.Endpoints.ListAsync(tenant, 2, first.NextCursor, CancellationToken.None)).Value!;

        Assert.Equal(ids, first.Items.Concat(second.Items).Select(e => e.Id));
        Assert.NotNull(first.NextCursor);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task A_cursor_that_was_not_issued_is_a_field_error()
    {
        var tenant = await _harness.CreateTenantAsync();

        var result = await _harness.Endpoints.ListAsync(tenant, 10, "!!not-a-cursor!!", CancellationToken.None);

        Assert.True(result.Problem!.Errors!.ContainsKey("cursor"));
    }

    [Fact]
    public async Task Deleting_an_endpoint_removes_it_with_its_log()
    {
        var tenant = await _harness.CreateTenantAsync();
        var created = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));
        await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant));

        var deleted = await _harness.Endpoints.DeleteAsync(tenant, created.Id, CancellationToken.None);

        var attempts = await _harness.Database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command(
            "SELECT count(*) FROM webhook_attempts")), CancellationToken.None);
        Assert.True(deleted.Succeeded);
        Assert.Equal(ProblemKind.NotFound, (await _harness.Endpoints.GetAsync(tenant, created.Id, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(0, attempts);
    }

    [Fact]
    public async Task A_tenant_cannot_create_more_endpoints_than_the_limit()
    {
        await using var harness = await WebhookHarness.StartAsync(services, new Dictionary<string, string?> { ["Webhooks:MaxEndpointsPerTenant"] = "1" });
        var tenant = await harness.CreateTenantAsync();
        await harness.CreateEndpointAsync(tenant, "https://hooks.example.com/one");

        var second = await harness.Endpoints.CreateAsync(tenant, new CreateWebhookEndpoint("https://hooks.example.com/two"), CancellationToken.None);

        Assert.Equal(ProblemKind.Unprocessable, second.Problem?.Kind);
    }

    [Fact]
    public async Task A_tenant_schedule_override_is_stored_and_reported()
    {
        var tenant = await _harness.CreateTenantAsync();

        var defaults = await _harness.Settings.GetAsync(tenant, CancellationToken.None);
        await _harness.Settings.UpdateAsync(tenant, new UpdateWebhookSettings(null, 5), CancellationToken.None);
        var custom = await _harness.Settings.GetAsync(tenant, CancellationToken.None);

        Assert.True(defaults.UsesDefaults);
        Assert.Equal([5, 300, 1800, 7200, 18000, 36000, 36000], defaults.RetryDelaysSeconds);
        Assert.Equal(8, defaults.MaxAttempts);
        Assert.False(custom.UsesDefaults);
        Assert.Equal(5, custom.MaxAttempts);
    }
}
