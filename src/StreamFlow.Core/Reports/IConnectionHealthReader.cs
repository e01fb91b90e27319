using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports;

/// <summary>One connection to an outside system as the owner's report shows it (docs/connectors.md).</summary>
public sealed record ReportConnection(string Name, string Kind, string Health, DateTimeOffset? LastSuccessAt, long LagSeconds, int ConsecutiveFailures, string? LastError);

/// <summary>
/// Reads the health of a tenant's connections for the report. The seam for the connectors feature, which registers an
/// implementation that queries inside the report's own tenant transaction (RLS holds); none by default.
/// </summary>
public interface IConnectionHealthReader
{
    Task<IReadOnlyList<ReportConnection>> ReadAsync(DbTransactionScope scope, DateTimeOffset now, CancellationToken cancellationToken);
}

internal sealed class NoConnectionHealthReader : IConnectionHealthReader
{
    public Task<IReadOnlyList<ReportConnection>> ReadAsync(DbTransactionScope scope, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ReportConnection>>([]);
}
