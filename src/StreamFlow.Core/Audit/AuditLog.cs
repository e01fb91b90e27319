using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Audit;

/// <summary>
/// Appends hash-chained entries. Appends lock the single chain-head row, so entries are numbered without gaps in
/// commit order across tenants and instances; an entry written inside a change's transaction commits or rolls back
/// with it.
/// </summary>
public sealed class AuditLog(StreamFlowDatabase database, TimeProvider timeProvider, ILogger<AuditLog> logger)
{
    /// <summary>Appends inside the caller's transaction (whose tenant must match the event's tenant).</summary>
    public async Task AppendAsync(DbTransactionScope scope, AuditEvent auditEvent)
    {
        var head = await AuditStore.LockHeadAsync(scope);
        var sequence = head.LastSequence + 1;
        var occurredAt = AuditCanonicalForm.ToStoredPrecision(timeProvider.GetUtcNow());
        var details = (auditEvent.Details ?? new JsonObject()).ToJsonString();
        var ip = Truncate(auditEvent.Origin.Ip, 64);
        var userAgent = Truncate(auditEvent.Origin.UserAgent, 512);
        var canonical = AuditCanonicalForm.Serialize(
            sequence, auditEvent.System, auditEvent.TenantId, auditEvent.Actor, auditEvent.Action, auditEvent.Target,
            auditEvent.Outcome, ip, userAgent, occurredAt, details, head.LastHash);
        var hash = AuditCanonicalForm.Hash(canonical);

        await AuditStore.InsertAsync(scope, new
        {
            Sequence = sequence,
            auditEvent.System,
            auditEvent.TenantId,
            auditEvent.Actor,
            auditEvent.Action,
            auditEvent.Target,
            auditEvent.Outcome,
            Ip = ip,
            UserAgent = userAgent,
            OccurredAt = occurredAt,
            Details = details,
            PrevHash = head.LastHash,
            Hash = hash,
        });
        await AuditStore.MoveHeadAsync(scope, sequence, hash);
    }

    /// <summary>Appends in a transaction of its own: for events that are not part of a change (logins, refusals).</summary>
    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            await (auditEvent.TenantId is { } tenantId
                ? database.InTenantAsync(tenantId, scope => Append(scope, auditEvent), cancellationToken)
                : database.InPlatformAsync(scope => Append(scope, auditEvent), cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Could not record audit event {Action} ({Outcome})", auditEvent.Action, auditEvent.Outcome);
            throw;
        }
    }

    private async Task<bool> Append(DbTransactionScope scope, AuditEvent auditEvent)
    {
        await AppendAsync(scope, auditEvent);
        return true;
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
