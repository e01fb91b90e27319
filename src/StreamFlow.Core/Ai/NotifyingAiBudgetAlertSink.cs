using System.Globalization;
using Microsoft.Extensions.Configuration;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Ai;

/// <summary>
/// At 80 % of a limit: a tenant's admins get an email and its systems an <c>ai.budget.warning</c> webhook event; the
/// provider-wide cap warns the provider by email.
/// </summary>
internal sealed class NotifyingAiBudgetAlertSink(
    StreamFlowDatabase database,
    WebhookOutbox outbox,
    TenantAdminMailer mailer,
    EmailSender email,
    IConfiguration configuration) : IAiBudgetAlertSink
{
    public async Task PublishAsync(AiBudgetAlert alert, CancellationToken cancellationToken)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"AI spend has reached {alert.SpentUsd:0.00} USD of the {alert.LimitUsd:0.00} USD {alert.Scope} limit for the period from {alert.PeriodStart:yyyy-MM-dd}. At the limit, AI calls are refused and StreamFlow falls back to its local methods.\n");
        if (alert.TenantId is not { } tenantId)
        {
            if (configuration["STREAMFLOW_PROVIDER_EMAIL"] is { Length: > 0 } provider)
            {
                await email.SendAsync(new EmailMessage(provider, "StreamFlow AI budget warning (provider cap)", text), cancellationToken);
            }

            return;
        }

        await database.InTenantAsync(tenantId, scope => outbox.AddAsync(scope, tenantId, "ai.budget.warning", new
        {
            scope = alert.Scope.ToString(),
            periodStart = alert.PeriodStart,
            limitUsd = alert.LimitUsd,
            spentUsd = alert.SpentUsd,
            warningRatio = alert.WarningRatio,
        }, cancellationToken), cancellationToken);
        await mailer.SendAsync(tenantId, "StreamFlow AI budget warning", text, cancellationToken);
    }
}
