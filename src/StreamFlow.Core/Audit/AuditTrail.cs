using StreamFlow.Core.Database;

namespace StreamFlow.Core.Audit;

public sealed record AuditTrailItem(
    long Sequence,
    string System,
    string Actor,
    string Action,
    string? Target,
    string Outcome,
    string? Ip,
    string? UserAgent,
    DateTimeOffset OccurredAt,
    System.Text.Json.JsonElement Details);

public sealed record AuditTrailPage(IReadOnlyList<AuditTrailItem> Items, string? NextCursor);

/// <summary>A tenant's own audit trail, newest first; row-level security keeps it to that tenant.</summary>
public sealed class AuditTrail(StreamFlowDatabase database)
{
    public Task<AuditTrailPage> PageAsync(Guid tenantId, int limit, string? cursor, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            long? before = long.TryParse(cursor, out var parsed) ? parsed : null;
            var rows = await AuditStore.PageAsync(scope, before, limit + 1);
            var items = rows.Select(r => new AuditTrailItem(
                r.Sequence, r.System, r.Actor, r.Action, r.Target, r.Outcome, r.Ip, r.UserAgent,
                new DateTimeOffset(DateTime.SpecifyKind(r.OccurredAt, DateTimeKind.Utc)),
                System.Text.Json.JsonDocument.Parse(r.Details).RootElement.Clone())).ToList();
            var next = items.Count > limit ? items[limit - 1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return new AuditTrailPage(items.Take(limit).ToList(), next);
        }, cancellationToken);
}
