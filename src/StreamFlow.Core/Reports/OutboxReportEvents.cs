using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Reports;

/// <summary>Publishes <c>report.sent</c> through the webhooks outbox, in the transaction that marks the delivery sent.</summary>
internal sealed class OutboxReportEvents(WebhookOutbox outbox) : IReportEvents
{
    public Task ReportSentAsync(DbTransactionScope scope, ReportSentEvent sent, CancellationToken cancellationToken) =>
        outbox.AddAsync(scope, sent.TenantId, "report.sent", sent, cancellationToken);
}
