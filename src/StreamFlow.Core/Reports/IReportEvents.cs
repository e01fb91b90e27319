using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports;

/// <summary>The <c>report.sent</c> event: who got which report, without the report's contents or the address.</summary>
public sealed record ReportSentEvent(
    Guid TenantId,
    Guid DeliveryId,
    Guid? UserId,
    string PeriodKind,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Trigger,
    string? ArchivePath,
    DateTimeOffset SentAt);

/// <summary>
/// Publishes report events. The seam for the webhooks outbox: an implementation adds the event in the same
/// transaction that marks the delivery sent (<paramref name="scope"/>), so an event exists exactly when the record does.
/// </summary>
public interface IReportEvents
{
    Task ReportSentAsync(DbTransactionScope scope, ReportSentEvent sent, CancellationToken cancellationToken);
}

/// <summary>The default until the webhooks outbox exists: nothing to publish to.</summary>
internal sealed class NoReportEvents : IReportEvents
{
    public Task ReportSentAsync(DbTransactionScope scope, ReportSentEvent sent, CancellationToken cancellationToken) => Task.CompletedTask;
}
