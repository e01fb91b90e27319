using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Where budget warnings go once recorded (one per limit and period). The host replaces the default with one that
/// emails tenant admins (or the provider, for the provider cap) and emits the <c>ai.budget.warning</c> event.
/// Called after the warning is committed; a sink that must not lose alerts should enqueue them durably.
/// </summary>
public interface IAiBudgetAlertSink
{
    Task PublishAsync(AiBudgetAlert alert, CancellationToken cancellationToken);
}

/// <summary>The default sink: a log line with the scope, tenant id and amounts (no personal data, no prompts).</summary>
internal sealed class LoggingAiBudgetAlertSink(ILogger<LoggingAiBudgetAlertSink> logger) : IAiBudgetAlertSink
{
    public Task PublishAsync(AiBudgetAlert alert, CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "AI budget warning: {Scope} for tenant {TenantId}, period {PeriodStart}: {SpentUsd} of {LimitUsd} USD spent (warning at {WarningRatio:P0})",
            alert.Scope, alert.TenantId, alert.PeriodStart, alert.SpentUsd, alert.LimitUsd, alert.WarningRatio);
        return Task.CompletedTask;
    }
}
