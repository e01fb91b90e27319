using Microsoft.DurableTask;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>
/// One attempt: loads endpoint and message under the tenant, signs, sends through the safe client, logs the attempt and
/// returns the outcome with the time to come back. Idempotent per (delivery, round, round attempt).
/// </summary>
public sealed class SendWebhookAttemptActivity(WebhookAttemptService attempts) : TaskActivity<WebhookAttemptRequest, WebhookAttemptOutcome>
{
    public override Task<WebhookAttemptOutcome> RunAsync(TaskActivityContext context, WebhookAttemptRequest input) =>
        attempts.RunAsync(input, CancellationToken.None);
}
