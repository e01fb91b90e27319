using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using static StreamFlow.Core.Webhooks.WebhookDeliveryStore;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// One attempt of one delivery, as the delivery orchestration's activity runs it: load the endpoint and message under
/// the tenant, sign, send with <see cref="WebhookHttpSender"/>, log the attempt and decide what comes next. No
/// transaction is open while the request is in flight. Idempotent per (delivery, round, round attempt): run twice,
/// it sends at most once more only if the first run never recorded its attempt.
/// </summary>
public sealed class WebhookAttemptService(
    StreamFlowDatabase database,
    WebhookSecretProtector protector,
    WebhookHttpSender sender,
    IWebhookAdminNotifier notifier,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookAttemptService> logger)
{
    // Durable timers may fire up to a second early; an attempt that early is still on time.
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(2);

    public async Task<WebhookAttemptOutcome> RunAsync(WebhookAttemptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = timeProvider.GetUtcNow();
        var prepared = await database.InTenantAsync(request.TenantId, scope => PrepareAsync(scope, request, startedAt), cancellationToken);
        if (prepared.Outcome is { } withoutSending)
        {
            return withoutSending;
        }

        var attempt = prepared.Attempt!;
        var result = await sender.PostAsync(attempt.Url, attempt.Headers, attempt.Body, cancellationToken);
        var finishedAt = timeProvider.GetUtcNow();
        var recorded = await database.InTenantAsync(
            request.TenantId, scope => RecordAsync(scope, request, attempt, result, startedAt, finishedAt), cancellationToken);

        foreach (var notice in recorded.Notices)
        {
            try
            {
                await (notice switch
                {
                    WebhookDeliveryFailedNotice failed => notifier.DeliveryFailedAsync(failed, cancellationToken),
                    WebhookEndpointDisabledNotice disabled => notifier.EndpointDisabledAsync(disabled, cancellationToken),
                    _ => Task.CompletedTask,
                });
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The event in the outbox is the durable record; a notifier outage must not fail the delivery.
                logger.LogError(exception, "Notifying tenant {TenantId} admins about webhook delivery {DeliveryId} failed", request.TenantId, request.DeliveryId);
            }
        }

        return recorded.Outcome;
    }

    private async Task<Prepared> PrepareAsync(DbTransactionScope scope, WebhookAttemptRequest request, DateTimeOffset now)
    {
        var row = await LoadForAttemptAsync(scope, request);
        if (row is null)
        {
            return new Prepared(new WebhookAttemptOutcome(WebhookAttemptDisposition.Stopped, Error: "The delivery no longer exists."));
        }

        if (row.Round != request.Round)
        {
            return new Prepared(new WebhookAttemptOutcome(WebhookAttemptDisposition.Stopped, Error: "A newer round took this delivery over."));
        }

        if (row.AlreadyRecorded || row.Status != WebhookDeliveryStatuses.Pending)
        {
            return new Prepared(FromState(row.Status, row.NextAttemptAt, row.LastStatusCode, row.LastError, now));
        }

        if (row.NextAttemptAt is { } due && Utc(due) > now + EarlyTolerance)
        {
            return new Prepared(new WebhookAttemptOutcome(WebhookAttemptDisposition.Waiting, due));
        }

        if (!row.EndpointEnabled)
        {
            const string disabled = "The endpoint is disabled.";
            await FailPendingAsync(scope, request.DeliveryId, request.Round, disabled, now);
            return new Prepared(new WebhookAttemptOutcome(WebhookAttemptDisposition.Failed, Error: disabled));
        }

        if (row.RateLimitPerSecond is { } limit)
        {
            var slot = await TakeRateSlotAsync(scope, row.EndpointId, now);
            if (slot.Count > limit)
            {
                return new Prepared(new WebhookAttemptOutcome(WebhookAttemptDisposition.Waiting, slot.WindowStartedAt.AddSeconds(1), Error: "Rate limited."));
            }
        }

        var keys = new List<byte[]> { SecretKey(protector.Unprotect(row.SecretCiphertext, request.TenantId, row.EndpointId)) };
        if (row.PreviousSecretCiphertext is { } previous && row.PreviousSecretExpiresAt is { } expires && Utc(expires) > now)
        {
            keys.Add(SecretKey(protector.Unprotect(previous, request.TenantId, row.EndpointId)));
        }

        var body = WebhookEnvelope.Serialize(row.MessageId, row.EventType, request.TenantId, Utc(row.OccurredAt), row.PayloadJson);
        var timestamp = now.ToUnixTimeSeconds();
        var headers = WebhookEndpointStore.DeserializeHeaders(row.HeadersJson)
            .Select(h => KeyValuePair.Create(h.Key, h.Value))
            .Append(KeyValuePair.Create(WebhookSignature.IdHeaderName, row.MessageId))
            .Append(KeyValuePair.Create(WebhookSignature.TimestampHeaderName, timestamp.ToString(CultureInfo.InvariantCulture)))
            .Append(KeyValuePair.Create(WebhookSignature.SignatureHeaderName, WebhookSignature.SignatureHeader(keys, row.MessageId, timestamp, body)))
            .ToList();

        var retry = options.Value.Retry;
        var defaults = retry.DefaultSchedule();
        var schedule = new WebhookRetrySchedule(
            row.RetryDelaysSeconds is { Length: > 0 } seconds ? seconds.Select(s => TimeSpan.FromSeconds(s)).ToArray() : defaults.Delays,
            row.MaxAttempts ?? (row.RetryDelaysSeconds is { Length: > 0 } custom ? custom.Length + 1 : defaults.MaxAttempts));

        return new Prepared(null, new PreparedAttempt(
            new Uri(row.Url), headers, body, row.MessageId, row.EventType, row.EndpointId, Utc(row.FailingSince), schedule));
    }

    private async Task<Recorded> RecordAsync(
        DbTransactionScope scope, WebhookAttemptRequest request, PreparedAttempt attempt, WebhookHttpResult result,
        DateTimeOffset attemptedAt, DateTimeOffset finishedAt)
    {
        var state = await LockForRecordAsync(scope, request);
        if (state is null)
        {
            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Stopped, Error: "The delivery no longer exists."), []);
        }

        if (state.AlreadyRecorded)
        {
            return new Recorded(FromState(state.Status, state.NextAttemptAt, state.LastStatusCode, state.LastError, finishedAt), []);
        }

        var attemptNumber = state.Attempts + 1;
        await InsertAttemptAsync(scope, new AttemptLogEntry(
            Guid.CreateVersion7(), request.TenantId, request.DeliveryId, attemptNumber, request.Round, request.RoundAttempt,
            attempt.MessageId, attempt.EndpointId, attemptedAt, result.Succeeded, result.StatusCode,
            (int)Math.Min(int.MaxValue, Math.Round(result.Duration.TotalMilliseconds)), result.ResponseBodyPrefix, Truncate(result.Error)));

        if (state.Round != request.Round)
        {
            await CountSupersededAttemptAsync(scope, request.DeliveryId, attemptNumber, finishedAt);
            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Stopped, Error: "A newer round took this delivery over."), []);
        }

        var retry = options.Value.Retry;
        var error = Truncate(result.Error);
        if (result.Succeeded)
        {
            await UpdateAfterAttemptAsync(scope, request.DeliveryId, attemptNumber, WebhookDeliveryStatuses.Succeeded, null, attemptedAt, result.StatusCode, null, finishedAt);
            await MarkEndpointSucceededAsync(scope, attempt.EndpointId);
            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Delivered, StatusCode: result.StatusCode), []);
        }

        var notices = new List<object>();
        if (result.StatusCode == 410)
        {
            const string gone = "The endpoint answered 410 Gone and was disabled.";
            await UpdateAfterAttemptAsync(scope, request.DeliveryId, attemptNumber, WebhookDeliveryStatuses.Failed, null, attemptedAt, result.StatusCode, gone, finishedAt);
            await DisableAsync(scope, request.TenantId, attempt, WebhookDisabledReason.Gone, attempt.FailingSince, finishedAt, notices);
            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Failed, StatusCode: 410, Error: gone), notices);
        }

        var failingSince = attempt.FailingSince ?? attemptedAt;
        if (attempt.FailingSince is null)
        {
            await MarkEndpointFailingAsync(scope, attempt.EndpointId, attemptedAt);
        }

        if (attemptedAt - failingSince >= retry.DisableEndpointAfter)
        {
            var disabled = $"The endpoint failed continuously since {failingSince:u} and was disabled.";
            await UpdateAfterAttemptAsync(scope, request.DeliveryId, attemptNumber, WebhookDeliveryStatuses.Failed, null, attemptedAt, result.StatusCode, disabled, finishedAt);
            await DisableAsync(scope, request.TenantId, attempt, WebhookDisabledReason.Failing, failingSince, finishedAt, notices);
            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Failed, StatusCode: result.StatusCode, Error: disabled), notices);
        }

        var delay = attempt.Schedule.DelayAfter(state.SeriesAttempts + 1);
        if (delay is null)
        {
            await UpdateAfterAttemptAsync(scope, request.DeliveryId, attemptNumber, WebhookDeliveryStatuses.Failed, null, attemptedAt, result.StatusCode, error, finishedAt);
            // A failed failure notice is not announced again, or a broken endpoint subscribed to it would feed itself.
            if (attempt.EventType != WebhookEventCatalog.DeliveryFailed)
            {
                var notice = new WebhookDeliveryFailedNotice(
                    request.TenantId, attempt.EndpointId, attempt.MessageId, attempt.EventType, attemptNumber, result.StatusCode, error, finishedAt);
                await AddEventAsync(scope, request.TenantId, WebhookEventCatalog.DeliveryFailed, new
                {
                    notice.EndpointId,
                    notice.MessageId,
                    notice.EventType,
                    notice.Attempts,
                    LastStatusCode = notice.LastStatusCode,
                    LastError = notice.LastError,
                    FailedAt = notice.FailedAt,
                }, finishedAt);
                notices.Add(notice);
            }

            return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.Failed, StatusCode: result.StatusCode, Error: error), notices);
        }

        TimeSpan? retryAfter = result.StatusCode is 429 or 503 ? RetryAfter.Parse(result.RetryAfter, finishedAt) : null;
        var next = WebhookRetrySchedule.NextAttemptAt(
            finishedAt, WebhookRetrySchedule.WithJitter(delay.Value, retry.JitterRatio, Random.Shared), retryAfter, retry.RetryAfterCap);
        await UpdateAfterAttemptAsync(scope, request.DeliveryId, attemptNumber, WebhookDeliveryStatuses.Pending, next, attemptedAt, result.StatusCode, error, finishedAt);
        return new Recorded(new WebhookAttemptOutcome(WebhookAttemptDisposition.RetryScheduled, next.UtcDateTime, result.StatusCode, error), []);
    }

    private static async Task DisableAsync(
        DbTransactionScope scope, Guid tenantId, PreparedAttempt attempt, WebhookDisabledReason reason, DateTimeOffset? failingSince,
        DateTimeOffset now, List<object> notices)
    {
        var reasonText = reason == WebhookDisabledReason.Gone ? "gone" : "failing";
        if (!await DisableEndpointAsync(scope, attempt.EndpointId, reasonText, now))
        {
            return;
        }

        await AddEventAsync(scope, tenantId, WebhookEventCatalog.EndpointDisabled, new
        {
            attempt.EndpointId,
            Reason = reasonText,
            FailingSince = failingSince,
            DisabledAt = now,
        }, now);
        notices.Add(new WebhookEndpointDisabledNotice(tenantId, attempt.EndpointId, reason, failingSince, now));
    }

    private static Task AddEventAsync(DbTransactionScope scope, Guid tenantId, string eventType, object data, DateTimeOffset now) =>
        WebhookOutbox.InsertAsync(scope, new WebhookOutbox.OutboxRow(
            WebhookOutbox.NewMessageId(), tenantId, eventType, now, WebhookOutbox.SerializeData(data), null, null));

    private static WebhookAttemptOutcome FromState(string status, DateTime? nextAttemptAt, int? lastStatusCode, string? lastError, DateTimeOffset now) =>
        status switch
        {
            WebhookDeliveryStatuses.Succeeded => new WebhookAttemptOutcome(WebhookAttemptDisposition.Delivered, StatusCode: lastStatusCode),
            WebhookDeliveryStatuses.Failed => new WebhookAttemptOutcome(WebhookAttemptDisposition.Failed, StatusCode: lastStatusCode, Error: lastError),
            _ => new WebhookAttemptOutcome(WebhookAttemptDisposition.RetryScheduled, nextAttemptAt ?? now.UtcDateTime, lastStatusCode, lastError),
        };

    private static byte[] SecretKey(string secret) =>
        WebhookSignature.TryDecodeSecret(secret) ?? throw new InvalidOperationException("A stored webhook secret is not valid.");

    private static string? Truncate(string? error) => error is { Length: > 1000 } ? error[..1000] : error;

    private static DateTimeOffset Utc(DateTime value) => WebhookEndpointStore.Utc(value);

    private static DateTimeOffset? Utc(DateTime? value) => WebhookEndpointStore.Utc(value);

    private sealed record Prepared(WebhookAttemptOutcome? Outcome, PreparedAttempt? Attempt = null);

    private sealed record PreparedAttempt(
        Uri Url,
        IReadOnlyList<KeyValuePair<string, string>> Headers,
        byte[] Body,
        string MessageId,
        string EventType,
        Guid EndpointId,
        DateTimeOffset? FailingSince,
        WebhookRetrySchedule Schedule);

    private sealed record Recorded(WebhookAttemptOutcome Outcome, IReadOnlyList<object> Notices);
}

/// <summary>The values of <c>webhook_deliveries.status</c>.</summary>
internal static class WebhookDeliveryStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}
