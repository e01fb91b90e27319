using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.Compliance;

internal sealed record AccessRow(Guid TenantId, string TenantName, string TenantStatus, string Role, long Users, long ActiveUsers, long MfaEnabled);

/// <summary>An audit entry about personal data: who did what to which request, when, and whether it succeeded.</summary>
public sealed record PersonalDataAccessEntry(long Sequence, Guid? TenantId, string Actor, string Action, string? Target, string Outcome, DateTimeOffset OccurredAt);

internal sealed record RequestRow(Guid Id, Guid TenantId, string Kind, string Status, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>The SQL of the compliance evidence report: cross-business reads through the privacy_compliance_* functions.</summary>
internal static class ComplianceEvidenceStore
{
    private const string AccessSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, tenant_status AS TenantStatus, role AS Role, users AS Users,
               active_users AS ActiveUsers, mfa_enabled AS MfaEnabled
        FROM privacy_compliance_access()
        """;

    private const string AuditSql = """
        SELECT sequence AS Sequence, tenant_id AS TenantId, actor AS Actor, action AS Action, target AS Target, outcome AS Outcome, occurred_at AS OccurredAt
        FROM privacy_compliance_audit(@From, @To, @Limit)
        """;

    private const string RequestsSql = """
        SELECT id AS Id, tenant_id AS TenantId, kind AS Kind, status AS Status, requested_by AS RequestedBy, created_at AS CreatedAt, completed_at AS CompletedAt
        FROM privacy_compliance_requests(@From, @To)
        """;

    public static async Task<IReadOnlyList<AccessRow>> AccessAsync(DbTransactionScope scope) => (await scope.QueryAsync<AccessRow>(AccessSql)).ToList();

    public static async Task<IReadOnlyList<PersonalDataAccessEntry>> AuditAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, int limit) =>
        (await scope.QueryAsync<PersonalDataAccessEntry>(AuditSql, new { From = from, To = to, Limit = limit })).ToList();

    public static async Task<IReadOnlyList<RequestRow>> RequestsAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.QueryAsync<RequestRow>(RequestsSql, new { From = from, To = to })).ToList();
}
