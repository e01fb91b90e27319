using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports;

/// <summary>
/// Reads a tenant's AI spend for a period and its budget. The seam for the AI usage ledger: its feature registers
/// an implementation (replacing <see cref="UnavailableAiSpendReader"/>) that queries inside the report's own tenant
/// transaction, so RLS still holds.
/// </summary>
public interface IAiSpendReader
{
    Task<AiSpend> ReadAsync(DbTransactionScope scope, Guid tenantId, ReportPeriod period, CancellationToken cancellationToken);
}

/// <summary>The default until the AI usage ledger exists: says so instead of reporting zero.</summary>
internal sealed class UnavailableAiSpendReader : IAiSpendReader
{
    public const string Note = "AI spend is not available yet: the AI usage ledger is not part of this installation.";

    public Task<AiSpend> ReadAsync(DbTransactionScope scope, Guid tenantId, ReportPeriod period, CancellationToken cancellationToken) =>
        Task.FromResult(AiSpend.NotAvailable(Note));
}
