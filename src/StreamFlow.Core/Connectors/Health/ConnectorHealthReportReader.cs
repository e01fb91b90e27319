using StreamFlow.Core.Database;
using StreamFlow.Core.Reports;

namespace StreamFlow.Core.Connectors.Health;

/// <summary>The owner's report section on connections: each one's health, last success, lag and failures in a row.</summary>
internal sealed class ConnectorHealthReportReader : IConnectionHealthReader
{
    public async Task<IReadOnlyList<ReportConnection>> ReadAsync(DbTransactionScope scope, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await ConnectorHealthStore.HealthAsync(scope, null))
            .Select(row => new ReportConnection(row.Name, row.Kind, row.Health, row.LastSuccessAt,
                (long)Math.Max(0, (now - (row.LastSuccessAt ?? row.CreatedAt)).TotalSeconds), row.ConsecutiveFailures,
                row.Health is "ok" or "new" ? null : row.LastError))
            .ToList();
}
