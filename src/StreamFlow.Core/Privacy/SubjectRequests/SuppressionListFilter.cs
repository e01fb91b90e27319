using Microsoft.Extensions.Logging;
using Npgsql;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.SubjectRequests;

/// <summary>
/// Applies the suppression list to a restored database: every lead there whose email or phone blind index belongs to a
/// person erased since (the live database's list, read by the backup role across tenants) is erased again, exactly as
/// the erasure did it, and the list itself is carried into the restored copy. Blind-index keys are never rotated, so
/// the indexes in an older backup are the ones the list holds.
/// </summary>
public sealed class SuppressionListFilter(BackupConnections connections, TimeProvider timeProvider, ILogger<SuppressionListFilter> logger) : IRestoredDataFilter
{
    public async Task<int> ApplyAsync(string targetDatabase, CancellationToken cancellationToken)
    {
        IReadOnlyList<SuppressionRow> suppressions;
        await using (var live = await connections.OpenBackupRoleAsync(null, cancellationToken))
        await using (var transaction = await live.BeginTransactionAsync(cancellationToken))
        {
            suppressions = await SubjectRequestStore.SuppressionsAsync(new DbTransactionScope(live, transaction, cancellationToken));
        }

        if (suppressions.Count == 0)
        {
            return 0;
        }

        await using var restored = NpgsqlDataSource.Create(connections.AppConnectionString(targetDatabase));
        var database = new StreamFlowDatabase(restored);
        var erased = 0;
        foreach (var tenant in suppressions.GroupBy(s => s.TenantId))
        {
            erased += await database.InTenantAsync(tenant.Key, async scope =>
            {
                // A backup older than the business has none of its rows.
                if (!await SubjectRequestStore.TenantExistsAsync(scope, tenant.Key))
                {
                    return 0;
                }

                await SubjectRequestStore.CarrySuppressionsAsync(scope, tenant.ToList());
                var count = 0;
                var now = timeProvider.GetUtcNow();
                foreach (var byRequest in (await SubjectRequestStore.SuppressedLeadsAsync(scope)).GroupBy(l => l.RequestId))
                {
                    // The pseudonym of the erasure that suppressed them, so the kept invoices read as they do in the live database.
                    var counts = await SubjectRequestStore.EraseAsync(scope, byRequest.Select(l => l.LeadId).ToArray(), SubjectRequestService.Pseudonym(byRequest.Key), now);
                    count += counts?.Leads ?? 0;
                }

                return count;
            }, cancellationToken);
        }

        logger.LogInformation("Suppression list applied to {Database}: {Leads} leads of erased people erased again", targetDatabase, erased);
        return erased;
    }
}
