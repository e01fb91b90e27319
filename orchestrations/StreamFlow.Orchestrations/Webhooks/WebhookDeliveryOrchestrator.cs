using Microsoft.DurableTask;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>
/// One round of one delivery; <paramref name="RoundAttempt"/> is where it resumes (after continue-as-new, or after a
/// first attempt the dispatcher made itself), <paramref name="NotBefore"/> when that attempt is due (UTC).
/// </summary>
public sealed record WebhookDeliveryInput(Guid TenantId, Guid DeliveryId, int Round, int RoundAttempt = 1, DateTime? NotBefore = null);

/// <summary>How the round ended.</summary>
public sealed record WebhookDeliveryResult(WebhookAttemptDisposition Disposition, int RoundAttempts, int? StatusCode, string? Error);

/// <summary>
/// Delivers one message to one endpoint on the retry schedule: an activity per attempt, a durable timer until the next
/// one. The activity decides everything (status, schedule with jitter, Retry-After, disabling) from the database and
/// returns when to come back, so this stays a deterministic loop that survives host restarts on any instance.
/// </summary>
public sealed class WebhookDeliveryOrchestrator : TaskOrchestrator<WebhookDeliveryInput, WebhookDeliveryResult>
{
    // Rate-limit waits can loop for long; a fresh history now and then keeps replays short.
    private const int StepsBeforeContinueAsNew = 50;

    // For infrastructure trouble (the database away); a failed HTTP attempt is an outcome, not an exception.
    private static readonly TaskOptions AttemptRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    public override async Task<WebhookDeliveryResult> RunAsync(TaskOrchestrationContext context, WebhookDeliveryInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var roundAttempt = Math.Max(1, input.RoundAttempt);
        if (input.NotBefore is { } notBefore && DateTime.SpecifyKind(notBefore, DateTimeKind.Utc) > context.CurrentUtcDateTime)
        {
            await context.CreateTimer(DateTime.SpecifyKind(notBefore, DateTimeKind.Utc), CancellationToken.None);
        }

        for (var step = 0; step < StepsBeforeContinueAsNew; step++)
        {
            var outcome = await context.CallActivityAsync<WebhookAttemptOutcome>(
                TaskNames.SendWebhookAttempt, new WebhookAttemptRequest(input.TenantId, input.DeliveryId, input.Round, roundAttempt), AttemptRetry);
            if (outcome.IsFinal)
            {
                return new WebhookDeliveryResult(outcome.Disposition, roundAttempt, outcome.StatusCode, outcome.Error);
            }

            if (outcome.Disposition == WebhookAttemptDisposition.RetryScheduled)
            {
                roundAttempt++;
            }

            var fireAt = outcome.NextAttemptAt is { } next ? DateTime.SpecifyKind(next, DateTimeKind.Utc) : context.CurrentUtcDateTime;
            context.SetCustomStatus(new { nextAttempt = roundAttempt, nextAttemptAt = fireAt, lastStatusCode = outcome.StatusCode });
            if (fireAt > context.CurrentUtcDateTime)
            {
                await context.CreateTimer(fireAt, CancellationToken.None);
            }
        }

        context.ContinueAsNew(input with { RoundAttempt = roundAttempt, NotBefore = null });
        return new WebhookDeliveryResult(WebhookAttemptDisposition.Waiting, roundAttempt, null, null);
    }
}
