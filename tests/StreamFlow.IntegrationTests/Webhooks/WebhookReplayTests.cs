using System.Text.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;
using StreamFlow.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

[Collection(ServicesCollection.Name)]
public sealed class WebhookReplayTests(TestServices services) : IAsyncLifetime
{
    private static readonly WebhookRetrySchedule OneAttempt = new([TimeSpan.FromSeconds(1)], MaxAttempts: 1);

    private WebhookHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await WebhookHarness.StartAsync(services);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_delivered_message_can_be_resent_with_the_same_id()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, messageId);

        var resent = await _harness.Replay.ResendAsync(tenant, endpoint.Id, messageId, CancellationToken.None);
        await _harness.DispatchWorkAsync();
        await _harness.WaitAsync([resent.Value!]);

        var received = _harness.Receiver.ReceivedAt(url);
        Assert.Equal(2, resent.Value!.Round);
        Assert.Equal([messageId, messageId], received.Select(r => r.Header("webhook-id")));
        Assert.Equal([1, 2], (await _harness.AttemptsAsync(tenant, endpoint.Id)).Select(a => a.AttemptNumber));
    }

    [Fact]
    public async Task Resending_to_an_unknown_endpoint_or_message_is_not_found()
    {
        var tenant = await _harness.CreateTenantAsync();
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));

        var noMessage = await _harness.Replay.ResendAsync(tenant, endpoint.Id, "msg_00000000000000000000000000000000", CancellationToken.None);
        var noEndpoint = await _harness.Replay.ResendAsync(tenant, Guid.NewGuid(), "msg_00000000000000000000000000000000", CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, noMessage.Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, noEndpoint.Problem?.Kind);
        Assert.Equal(0, await _harness.WaitingWorkAsync(tenant));
    }

    [Fact]
    public async Task Recovering_an_endpoint_resends_every_message_that_failed_since_the_given_time()
    {
        var tenant = await _harness.CreateTenantAsync(OneAttempt);
        var url = _harness.Receiver.Url("fail-once");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var first = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, first);
        var okEndpointMessage = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, okEndpointMessage);

        var recovered = await _harness.Replay.RecoverFailedAsync(tenant, endpoint.Id, since, CancellationToken.None);
        var starts = await _harness.PendingStartsAsync(tenant, endpoint.Id);
        await _harness.DispatchWorkAsync();
        await _harness.WaitAsync(starts);

        var messages = await _harness.MessagesAsync(tenant, endpoint.Id);
        Assert.Equal(1, recovered.Value);
        Assert.All(messages, m => Assert.Equal(WebhookDeliveryStatus.Succeeded, m.Status));
        Assert.Equal([first, okEndpointMessage, first], _harness.Receiver.ReceivedAt(url).Select(r => r.Header("webhook-id")));
    }

    [Fact]
    public async Task A_test_event_goes_to_one_endpoint_whatever_its_filter()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var otherUrl = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url, ["invoice.paid"]);
        await _harness.CreateEndpointAsync(tenant, otherUrl);

        var sent = await _harness.Replay.SendTestEventAsync(tenant, endpoint.Id, null, CancellationToken.None);
        await _harness.DispatchWorkAsync();
        await _harness.WaitAsync([new WebhookDeliveryStart(tenant, sent.Value!.DeliveryId, 1)]);

        var received = Assert.Single(_harness.Receiver.ReceivedAt(url));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(sent.Value!.MessageId, received.Header("webhook-id"));
        Assert.Equal("webhook.test", body.RootElement.GetProperty("type").GetString());
        Assert.Empty(_harness.Receiver.ReceivedAt(otherUrl));
        Assert.Equal(WebhookVerificationResult.Verified, new WebhookVerifier(endpoint.Secret).Verify(
            received.Header("webhook-id"), received.Header("webhook-timestamp"), received.Header("webhook-signature"), received.Body));
    }

    [Fact]
    public async Task A_test_event_of_an_unknown_type_is_a_field_error()
    {
        var tenant = await _harness.CreateTenantAsync();
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));

        var sent = await _harness.Replay.SendTestEventAsync(tenant, endpoint.Id, "lead.vanished", CancellationToken.None);

        Assert.True(sent.Problem!.Errors!.ContainsKey("eventType"));
        Assert.Equal(0, await _harness.WaitingWorkAsync(tenant));
    }

    // Issue #19: the request commits the new round and its work row, and answers; a dispatcher starts the round
    // once the durable backend answers again, once however often it runs (claims run out after a second).
    [Fact]
    public async Task A_resend_is_answered_while_the_durable_backend_is_down_and_delivered_exactly_once_when_it_is_back()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var messageId = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, messageId);

        var resent = await _harness.Replay.ResendAsync(tenant, endpoint.Id, messageId, CancellationToken.None);
        var startedWhileDown = await _harness.DispatchWorkAsync(new UnreachableWorkBackend());
        var receivedWhileDown = _harness.Receiver.ReceivedAt(url).Count;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedWhenBack = await Task.WhenAll(_harness.DispatchWorkAsync(), _harness.DispatchWorkAsync());
        await _harness.WaitAsync([resent.Value!]);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedAgain = await _harness.DispatchWorkAsync();

        Assert.Equal((2, 0, 1), (resent.Value!.Round, startedWhileDown, receivedWhileDown));
        Assert.Equal(1, startedWhenBack.Sum());
        Assert.Equal(0, startedAgain);
        Assert.Equal(0, await _harness.WaitingWorkAsync(tenant));
        Assert.Equal([messageId, messageId], _harness.Receiver.ReceivedAt(url).Select(r => r.Header("webhook-id")));
        Assert.Equal([1, 2], (await _harness.AttemptsAsync(tenant, endpoint.Id)).Select(a => a.AttemptNumber));
    }

    [Fact]
    public async Task A_recovery_is_answered_while_the_durable_backend_is_down_and_each_failed_message_is_delivered_exactly_once_when_it_is_back()
    {
        var tenant = await _harness.CreateTenantAsync(OneAttempt);
        var url = _harness.Receiver.Url("fail-once");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var failed = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, failed);

        var recovered = await _harness.Replay.RecoverFailedAsync(tenant, endpoint.Id, since, CancellationToken.None);
        var starts = await _harness.PendingStartsAsync(tenant, endpoint.Id);
        var startedWhileDown = await _harness.DispatchWorkAsync(new UnreachableWorkBackend());
        var receivedWhileDown = _harness.Receiver.ReceivedAt(url).Count;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedWhenBack = await _harness.DispatchWorkAsync();
        await _harness.WaitAsync(starts);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedAgain = await _harness.DispatchWorkAsync();

        Assert.Equal((1, 0, 1), (recovered.Value, startedWhileDown, receivedWhileDown));
        Assert.Equal(2, Assert.Single(starts).Round);
        Assert.Equal((1, 0), (startedWhenBack, startedAgain));
        Assert.Equal(WebhookDeliveryStatus.Succeeded, Assert.Single(await _harness.MessagesAsync(tenant, endpoint.Id)).Status);
        Assert.Equal([failed, failed], _harness.Receiver.ReceivedAt(url).Select(r => r.Header("webhook-id")));
    }

    [Fact]
    public async Task A_test_event_is_answered_while_the_durable_backend_is_down_and_delivered_exactly_once_when_it_is_back()
    {
        var tenant = await _harness.CreateTenantAsync();
        var url = _harness.Receiver.Url("ok");
        var endpoint = await _harness.CreateEndpointAsync(tenant, url);

        var sent = await _harness.Replay.SendTestEventAsync(tenant, endpoint.Id, null, CancellationToken.None);
        var startedWhileDown = await _harness.DispatchWorkAsync(new UnreachableWorkBackend());
        var pendingWhileDown = await _harness.PendingStartsAsync(tenant, endpoint.Id);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedWhenBack = await Task.WhenAll(_harness.DispatchWorkAsync(), _harness.DispatchWorkAsync());
        await _harness.WaitAsync([new WebhookDeliveryStart(tenant, sent.Value!.DeliveryId, 1)]);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedAgain = await _harness.DispatchWorkAsync();

        Assert.Equal(0, startedWhileDown);
        Assert.Equal([new WebhookDeliveryStart(tenant, sent.Value.DeliveryId, 1)], pendingWhileDown);
        Assert.Equal((1, 0), (startedWhenBack.Sum(), startedAgain));
        Assert.Equal(sent.Value.MessageId, Assert.Single(_harness.Receiver.ReceivedAt(url)).Header("webhook-id"));
        Assert.Equal([1], (await _harness.AttemptsAsync(tenant, endpoint.Id)).Select(a => a.AttemptNumber));
    }

    [Fact]
    public async Task The_message_log_filters_by_status_and_pages_newest_first()
    {
        var tenant = await _harness.CreateTenantAsync(OneAttempt);
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("fail-once"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _harness.PublishAsync(tenant));
            await _harness.DeliverAsync(tenant, ids[^1]);
        }

        var page1 = (await _harness.Log.ListMessagesAsync(tenant, endpoint.Id, new WebhookMessageFilter(), 2, null, CancellationToken.None)).Value!;
        var page2 = (await _harness.Log.ListMessagesAsync(tenant, endpoint.Id, new WebhookMessageFilter(), 2, page1.NextCursor, CancellationToken.None)).Value!;
        var failed = (await _harness.Log.ListMessagesAsync(tenant, endpoint.Id, new WebhookMessageFilter(Status: WebhookDeliveryStatus.Failed), null, null, CancellationToken.None)).Value!;

        Assert.Equal(Enumerable.Reverse(ids), page1.Items.Concat(page2.Items).Select(m => m.Id));
        Assert.Null(page2.NextCursor);
        Assert.Equal(ids[0], Assert.Single(failed.Items).Id);
    }

    [Fact]
    public async Task The_attempt_log_filters_by_message_and_outcome()
    {
        var tenant = await _harness.CreateTenantAsync(OneAttempt);
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("fail-once"));
        var first = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, first);
        var second = await _harness.PublishAsync(tenant);
        await _harness.DeliverAsync(tenant, second);

        var ofSecond = (await _harness.Log.ListAttemptsAsync(tenant, endpoint.Id, new WebhookAttemptFilter(MessageId: second), null, null, CancellationToken.None)).Value!;
        var failures = (await _harness.Log.ListAttemptsAsync(tenant, endpoint.Id, new WebhookAttemptFilter(Succeeded: false), null, null, CancellationToken.None)).Value!;

        Assert.Equal(200, Assert.Single(ofSecond.Items).StatusCode);
        Assert.Equal(first, Assert.Single(failures.Items).MessageId);
    }

    [Fact]
    public async Task A_message_reads_back_in_the_envelope_shape()
    {
        var tenant = await _harness.CreateTenantAsync();
        var leadId = Guid.NewGuid();
        var messageId = await _harness.PublishAsync(tenant, WebhookEventCatalog.LeadScored, new { LeadId = leadId, Score = new { Value = 82 } });

        var message = (await _harness.Log.GetMessageAsync(tenant, messageId, CancellationToken.None)).Value!;

        Assert.Equal(("lead.scored", tenant), (message.Type, message.TenantId));
        Assert.Equal(82, message.Data.GetProperty("score").GetProperty("value").GetInt32());
    }
}
