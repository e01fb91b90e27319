using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Webhooks;

/// <summary>The notifier until email exists: a warning in the log, with ids only (a URL may carry credentials).</summary>
internal sealed class LoggingWebhookAdminNotifier(ILogger<LoggingWebhookAdminNotifier> logger) : IWebhookAdminNotifier
{
    public Task DeliveryFailedAsync(WebhookDeliveryFailedNotice notice, CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "Webhook message {MessageId} ({EventType}) to endpoint {EndpointId} of tenant {TenantId} failed after {Attempts} attempts",
            notice.MessageId, notice.EventType, notice.EndpointId, notice.TenantId, notice.Attempts);
        return Task.CompletedTask;
    }

    public Task EndpointDisabledAsync(WebhookEndpointDisabledNotice notice, CancellationToken cancellationToken)
    {
        logger.LogWarning("Webhook endpoint {EndpointId} of tenant {TenantId} was disabled ({Reason})", notice.EndpointId, notice.TenantId, notice.Reason);
        return Task.CompletedTask;
    }
}
