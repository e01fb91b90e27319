namespace StreamFlow.Core.Webhooks;

/// <summary>A delivery to hand to a new delivery orchestration (one per delivery and round).</summary>
public sealed record WebhookDeliveryStart(Guid TenantId, Guid DeliveryId, int Round)
{
    /// <summary>Deterministic, so that starting the same round twice finds the instance that already runs.</summary>
    public string InstanceId => $"webhook-delivery-{DeliveryId:N}-{Round}";
}

/// <summary>
/// Starts delivery orchestrations. Core decides what to start; the durable side (a <c>DurableTaskClient</c>, which the
/// Functions host only hands to functions) starts it. Starting an instance that already exists is not an error.
/// </summary>
public interface IWebhookDeliveryStarter
{
    Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken);
}

/// <summary>One step of a delivery orchestration: the <paramref name="RoundAttempt"/>-th attempt of round <paramref name="Round"/>.</summary>
public sealed record WebhookAttemptRequest(Guid TenantId, Guid DeliveryId, int Round, int RoundAttempt);

public enum WebhookAttemptDisposition
{
    /// <summary>The endpoint answered 2xx: done.</summary>
    Delivered,

    /// <summary>The attempt failed; the next one is due at <see cref="WebhookAttemptOutcome.NextAttemptAt"/>.</summary>
    RetryScheduled,

    /// <summary>No attempt was made (rate limit, or not due yet); ask again at <see cref="WebhookAttemptOutcome.NextAttemptAt"/>.</summary>
    Waiting,

    /// <summary>Given up: attempts exhausted, 410 Gone, or the endpoint is disabled.</summary>
    Failed,

    /// <summary>Nothing left for this orchestration: a newer round took over, or the delivery or endpoint is gone.</summary>
    Stopped,
}

/// <summary>What an attempt step came to, and when the orchestration should come back.</summary>
public sealed record WebhookAttemptOutcome(
    WebhookAttemptDisposition Disposition,
    DateTime? NextAttemptAt = null,
    int? StatusCode = null,
    string? Error = null)
{
    public bool IsFinal => Disposition is WebhookAttemptDisposition.Delivered or WebhookAttemptDisposition.Failed or WebhookAttemptDisposition.Stopped;
}

/// <summary>A message given up on after its last attempt.</summary>
public sealed record WebhookDeliveryFailedNotice(
    Guid TenantId, Guid EndpointId, string MessageId, string EventType, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset FailedAt);

/// <summary>An endpoint StreamFlow disabled by itself.</summary>
public sealed record WebhookEndpointDisabledNotice(
    Guid TenantId, Guid EndpointId, WebhookDisabledReason Reason, DateTimeOffset? FailingSince, DateTimeOffset DisabledAt);

/// <summary>
/// Tells a tenant's admins about webhook trouble (email, later). Called after the change is committed, at most once
/// per change in practice; the durable record is the <c>webhook.delivery.failed</c> / <c>webhook.endpoint.disabled</c> event.
/// </summary>
public interface IWebhookAdminNotifier
{
    Task DeliveryFailedAsync(WebhookDeliveryFailedNotice notice, CancellationToken cancellationToken);

    Task EndpointDisabledAsync(WebhookEndpointDisabledNotice notice, CancellationToken cancellationToken);
}
