using StreamFlow.Core.Email;

namespace StreamFlow.Core.Webhooks;

/// <summary>Tells the business's owners and admins by email when a message finally failed or an endpoint was disabled.</summary>
internal sealed class EmailWebhookAdminNotifier(TenantAdminMailer mailer) : IWebhookAdminNotifier
{
    public Task DeliveryFailedAsync(WebhookDeliveryFailedNotice notice, CancellationToken cancellationToken) =>
        mailer.SendAsync(notice.TenantId, $"StreamFlow webhook delivery failed: {notice.EventType}",
            $"The webhook message {notice.MessageId} ({notice.EventType}) could not be delivered to endpoint {notice.EndpointId} " +
            $"after {notice.Attempts} attempts.\n\nSee its attempts with GET /api/v1/webhooks/endpoints/{notice.EndpointId}/attempts " +
            $"and send it again with POST /api/v1/webhooks/endpoints/{notice.EndpointId}/messages/{notice.MessageId}/resend.\n",
            cancellationToken);

    public Task EndpointDisabledAsync(WebhookEndpointDisabledNotice notice, CancellationToken cancellationToken) =>
        mailer.SendAsync(notice.TenantId, "StreamFlow webhook endpoint disabled",
            $"Webhook endpoint {notice.EndpointId} was disabled: {notice.Reason}.\n\nRe-enable it with PATCH /api/v1/webhooks/endpoints/{notice.EndpointId} " +
            "{\"enabled\": true} once the receiver works again, and recover what it missed with POST .../recover.\n",
            cancellationToken);
}
