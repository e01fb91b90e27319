using System.Text;
using System.Text.Json;
using StreamFlow.Core.Webhooks;
using StreamFlow.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

[Collection(ServicesCollection.Name)]
public sealed class WebhookDeliveryTests(TestServices services) : IAsyncLifetime
{
    private static readonly WebhookRetrySchedule ShortSchedule = new([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], MaxAttempts: 3);

    private WebhookHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await WebhookHarness.StartAsync(services);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_committed_event_is_delivered_once_with_a_valid_standard_webhooks_signature()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var leadId = Guid.NewGuid();
        var messageId = await _harness.PublishAsync(tenant, WebhookEventCatalog.LeadCreated, new { LeadId = leadId });

        var results = await _harness.DeliverAsync(tenant, messageId);

        var received = Assert.Single(_harness.Receiver.ReceivedAt(url));
        var verification = new WebhookVerifier(endpoint.Secret).Verify(
            received.Header("webhook-id"), received.Header("webhook-timestamp"), received.Header("webhook-signature"), received.Body);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(WebhookAttemptDisposition.Delivered, Assert.Single(results).Disposition);
        Assert.Equal(WebhookVerificationResult.Verified, verification);
        Assert.Equal(messageId, received.Header("webhook-id"));
        Assert.Equal(messageId, body.RootElement.GetProperty("id").GetString());
        Assert.Equal("lead.created", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(tenant, body.RootElement.GetProperty("tenantId").GetGuid());
        Assert.Equal(leadId, body.RootElement.GetProperty("data").GetProperty("leadId").GetGuid());
        Assert.True(body.RootElement.TryGetProperty("occurredAt", out _));
    }

    [Fact]
    public async Task A_successful_attempt_is_logged_with_status_duration_and_response()
    {
        var tenant = await _harness.CreateTenantAsync();
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));
        var messageId = await _harness.PublishAsync(tenant);

        await _harness.DeliverAsync(tenant, messageId);

        var attempt = Assert.Single(await _harness.AttemptsAsync(tenant, endpoint.Id));
        var message = Assert.Single(await _harness.MessagesAsync(tenant, endpoint.Id));
        Assert.True(attempt.Succeeded);
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal("thanks", attempt.ResponseBody);
        Assert.Null(attempt.Error);
        Assert.True(attempt.DurationMs >= 0);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, message.Status);
        Assert.Equal(1, message.Attempts);
    }

    [Fact]
    public async Task A_500_is_retried_on_the_schedule_and_then_succeeds()
    {
        var tenant = await _harness.CreateTenantAsync(ShortSchedule);
        var url = _harness.Receiver.Url("fail-once");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        var attempts = await _harness.AttemptsAsync(tenant, endpoint.Id);
        var received = _harness.Receiver.ReceivedAt(url);
        Assert.Equal(WebhookAttemptDisposition.Delivered, result.Disposition);
        Assert.Equal([500, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal("boom", attempts[0].ResponseBody);
        Assert.Equal(received[0].Header("webhook-id"), received[1].Header("webhook-id"));
        Assert.True(received[1].ReceivedAt - received[0].ReceivedAt >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task After_the_last_failed_attempt_the_delivery_fails_and_admins_get_a_delivery_failed_event()
    {
        var tenant = await _harness.CreateTenantAsync(ShortSchedule);
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("fail"));
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        Assert.Equal(WebhookAttemptDisposition.Failed, result.Disposition);
        Assert.Equal(3, (await _harness.AttemptsAsync(tenant, endpoint.Id)).Count);
        Assert.Equal(WebhookDeliveryStatus.Failed, Assert.Single(await _harness.MessagesAsync(tenant, endpoint.Id)).Status);
        Assert.Equal(["lead.created", "webhook.delivery.failed"], await _harness.EventTypesInOutboxAsync(tenant));
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_announces_it()
    {
        var tenant = await _harness.CreateTenantAsync(ShortSchedule);
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("gone"));
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        var after = (await _harness.Endpoints.GetAsync(tenant, endpoint.Id, CancellationToken.None)).Value!;
        Assert.Equal(WebhookAttemptDisposition.Failed, result.Disposition);
        Assert.Single(await _harness.AttemptsAsync(tenant, endpoint.Id));
        Assert.False(after.Enabled);
        Assert.Equal(WebhookDisabledReason.Gone, after.DisabledReason);
        Assert.Contains("webhook.endpoint.disabled", await _harness.EventTypesInOutboxAsync(tenant));
    }

    [Fact]
    public async Task A_disabled_endpoint_gets_no_new_deliveries_until_it_is_re_enabled()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        await _harness.Endpoints.UpdateAsync(tenant, endpoint.Id, new UpdateWebhookEndpoint(Enabled: false), CancellationToken.None);

        var whileDisabled = await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant));
        await _harness.Endpoints.EnableAsync(tenant, endpoint.Id, CancellationToken.None);
        var afterEnabling = await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant));

        Assert.Empty(whileDisabled);
        Assert.Equal(WebhookAttemptDisposition.Delivered, Assert.Single(afterEnabling).Disposition);
        Assert.Single(_harness.Receiver.ReceivedAt(url));
    }

    [Fact]
    public async Task Retry_after_of_a_503_is_honoured_over_a_shorter_schedule()
    {
        var tenant = await _harness.CreateTenantAsync(ShortSchedule);
        var url = _harness.Receiver.Url("busy");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        var received = _harness.Receiver.ReceivedAt(url);
        var attempts = await _harness.AttemptsAsync(tenant, endpoint.Id);
        Assert.Equal(WebhookAttemptDisposition.Delivered, result.Disposition);
        Assert.Equal([503, 200], attempts.Select(a => a.StatusCode));
        Assert.True(received[1].ReceivedAt - received[0].ReceivedAt >= TimeSpan.FromSeconds(2.9), $"retried after {received[1].ReceivedAt - received[0].ReceivedAt}");
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_is_not_followed()
    {
        var tenant = await _harness.CreateTenantAsync(new WebhookRetrySchedule([TimeSpan.FromSeconds(1)], MaxAttempts: 1));
        var url = _harness.Receiver.Url("redirect");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        var attempt = Assert.Single(await _harness.AttemptsAsync(tenant, endpoint.Id));
        Assert.Equal(WebhookAttemptDisposition.Failed, result.Disposition);
        Assert.Equal(302, attempt.StatusCode);
        Assert.False(attempt.Succeeded);
        Assert.Equal("Redirects are not followed.", attempt.Error);
        Assert.All(_harness.Receiver.Received, r => Assert.DoesNotContain("/ok/", r.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hanging_receiver_times_out_without_holding_up_another_endpoint()
    {
        var tenant = await _harness.CreateTenantAsync(new WebhookRetrySchedule([TimeSpan.FromSeconds(1)], MaxAttempts: 1));
        var hanging = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("hang"));
        var healthy = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));
        var messageId = await _harness.PublishAsync(tenant);

        var results = await _harness.DeliverAsync(tenant, messageId);

        var hungAttempt = Assert.Single(await _harness.AttemptsAsync(tenant, hanging.Id));
        var healthyAttempt = Assert.Single(await _harness.AttemptsAsync(tenant, healthy.Id));
        Assert.Contains(results, r => r.Disposition == WebhookAttemptDisposition.Delivered);
        Assert.Null(hungAttempt.StatusCode);
        Assert.Equal("No response within 3 s.", hungAttempt.Error);
        Assert.True(healthyAttempt.Succeeded);
        Assert.True(healthyAttempt.AttemptedAt.AddMilliseconds(healthyAttempt.DurationMs) < hungAttempt.AttemptedAt.AddMilliseconds(hungAttempt.DurationMs));
    }

    [Fact]
    public async Task A_huge_response_body_is_cut_off_and_only_its_first_kilobyte_is_logged()
    {
        var tenant = await _harness.CreateTenantAsync();
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("huge"));
        var messageId = await _harness.PublishAsync(tenant);

        var result = Assert.Single(await _harness.DeliverAsync(tenant, messageId));

        var attempt = Assert.Single(await _harness.AttemptsAsync(tenant, endpoint.Id));
        Assert.Equal(WebhookAttemptDisposition.Delivered, result.Disposition);
        Assert.Equal(new string('x', 1024), attempt.ResponseBody);
    }

    [Fact]
    public async Task During_a_secret_rotation_both_signatures_are_sent_and_each_secret_verifies()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var rotated = (await _harness.Endpoints.RotateSecretAsync(tenant, endpoint.Id, TimeSpan.FromHours(1), CancellationToken.None)).Value!;
        var messageId = await _harness.PublishAsync(tenant);

        await _harness.DeliverAsync(tenant, messageId);

        var received = Assert.Single(_harness.Receiver.ReceivedAt(url));
        var signatures = received.Header("webhook-signature").Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.Equal(WebhookVerificationResult.Verified, Verify(rotated.Secret, received));
        Assert.Equal(WebhookVerificationResult.Verified, Verify(endpoint.Secret, received));
    }

    [Fact]
    public async Task After_a_rotation_without_overlap_the_old_secret_no_longer_verifies()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var rotated = (await _harness.Endpoints.RotateSecretAsync(tenant, endpoint.Id, TimeSpan.Zero, CancellationToken.None)).Value!;

        await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant));

        var received = Assert.Single(_harness.Receiver.ReceivedAt(url));
        Assert.Equal(WebhookVerificationResult.Verified, Verify(rotated.Secret, received));
        Assert.Equal(WebhookVerificationResult.InvalidSignature, Verify(endpoint.Secret, received));
    }

    [Fact]
    public async Task Custom_headers_are_sent_and_the_event_type_filter_is_applied()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        await _harness.Endpoints.CreateAsync(tenant, new CreateWebhookEndpoint(
            url, [WebhookEventCatalog.InvoicePaid], Headers: new Dictionary<string, string> { ["X-Api-Key"] = "k-123" }), CancellationToken.None);

        var skipped = await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant, WebhookEventCatalog.LeadCreated));
        var sent = await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant, WebhookEventCatalog.InvoicePaid, new { InvoiceId = Guid.NewGuid() }));

        var received = Assert.Single(_harness.Receiver.ReceivedAt(url));
        Assert.Empty(skipped);
        Assert.Single(sent);
        Assert.Equal("k-123", received.Header("x-api-key"));
        Assert.Equal("application/json; charset=utf-8", received.Header("content-type"));
        Assert.StartsWith("StreamFlow-Webhooks/", received.Header("user-agent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatching_the_same_events_twice_creates_no_second_delivery()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);

        await _harness.DeliverAsync(tenant, messageId);
        var again = await _harness.DeliverAsync(tenant, messageId);

        Assert.Empty(again);
        Assert.Single(_harness.Receiver.ReceivedAt(url));
        Assert.Single(await _harness.MessagesAsync(tenant, endpoint.Id));
    }

    private static WebhookVerificationResult Verify(string secret, ReceivedWebhook received) =>
        new WebhookVerifier(secret).Verify(received.Header("webhook-id"), received.Header("webhook-timestamp"), received.Header("webhook-signature"), Encoding.UTF8.GetString(received.Body));
}
