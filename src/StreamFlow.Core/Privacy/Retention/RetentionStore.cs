using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.Retention;

internal sealed record StoredRetentionPolicy(
    int? LostLeadsMonths, int? AuditYears, int? SessionsDays, int? WebhookLogsDays, int? DataKeyRotationDays, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>The SQL of retention policies: the policy, what is due under it, and the purges. Runs in the tenant's transaction.</summary>
internal static class RetentionStore
{
    private const string PolicySql = """
        SELECT lost_leads_months AS LostLeadsMonths, audit_years AS AuditYears, sessions_days AS SessionsDays,
               webhook_logs_days AS WebhookLogsDays, data_key_rotation_days AS DataKeyRotationDays, updated_by AS UpdatedBy, updated_at AS UpdatedAt
        FROM privacy_retention_policies
        """;

    private const string UpsertPolicySql = """
        INSERT INTO privacy_retention_policies (tenant_id, lost_leads_months, audit_years, sessions_days, webhook_logs_days, data_key_rotation_days, updated_by, updated_at)
        VALUES (@TenantId, @LostLeadsMonths, @AuditYears, @SessionsDays, @WebhookLogsDays, @DataKeyRotationDays, @UpdatedBy, @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET lost_leads_months = EXCLUDED.lost_leads_months, audit_years = EXCLUDED.audit_years,
            sessions_days = EXCLUDED.sessions_days, webhook_logs_days = EXCLUDED.webhook_logs_days, data_key_rotation_days = EXCLUDED.data_key_rotation_days,
            updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        """;

    private const string DueLostLeadsSql = "SELECT count(*) FROM leads WHERE outcome = 'lost' AND erased_at IS NULL AND outcome_at < @Cutoff";

    private const string LostLeadBatchSql = """
        SELECT id FROM leads WHERE outcome = 'lost' AND erased_at IS NULL AND outcome_at < @Cutoff ORDER BY outcome_at LIMIT @Limit
        """;

    private const string DueSessionsSql = "SELECT count(*) FROM sessions WHERE coalesce(revoked_at, expires_at) < @Cutoff";

    private const string PurgeSessionsSql = "DELETE FROM sessions WHERE coalesce(revoked_at, expires_at) < @Cutoff";

    private const string DueWebhookLogsSql = """
        SELECT count(*) FROM webhook_messages m
        WHERE m.created_at < @Cutoff AND m.dispatched_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
        """;

    private const string PurgeWebhookLogsSql = "SELECT privacy_purge_webhook_logs(@Cutoff, @Limit)";

    private const string DueAuditSql = "SELECT count(*) FROM audit_log WHERE tenant_id = @TenantId AND occurred_at < @Cutoff";

    private const string RecordRunSql = """
        INSERT INTO privacy_retention_runs (id, tenant_id, ran_at, counts) VALUES (@Id, @TenantId, @Now, CAST(@Counts AS jsonb))
        """;

    public static Task<StoredRetentionPolicy?> PolicyAsync(DbTransactionScope scope) => scope.QuerySingleOrDefaultAsync<StoredRetentionPolicy>(PolicySql);

    public static Task UpsertPolicyAsync(DbTransactionScope scope, Guid tenantId, RetentionPolicy policy, string updatedBy, DateTimeOffset now) =>
        scope.ExecuteAsync(UpsertPolicySql, new
        {
            TenantId = tenantId, policy.LostLeadsMonths, policy.AuditYears, policy.SessionsDays, policy.WebhookLogsDays, policy.DataKeyRotationDays, UpdatedBy = updatedBy, Now = now,
        });

    public static Task<long> DueLostLeadsAsync(DbTransactionScope scope, DateTimeOffset cutoff) => scope.ExecuteScalarAsync<long>(DueLostLeadsSql, new { Cutoff = cutoff });

    public static async Task<Guid[]> LostLeadBatchAsync(DbTransactionScope scope, DateTimeOffset cutoff, int limit) =>
        (await scope.QueryAsync<Guid>(LostLeadBatchSql, new { Cutoff = cutoff, Limit = limit })).ToArray();

    public static Task<long> DueSessionsAsync(DbTransactionScope scope, DateTimeOffset cutoff) => scope.ExecuteScalarAsync<long>(DueSessionsSql, new { Cutoff = cutoff });

    public static Task<int> PurgeSessionsAsync(DbTransactionScope scope, DateTimeOffset cutoff) =>
        Dapper.SqlMapper.ExecuteAsync(scope.Connection, scope.Command(PurgeSessionsSql, new { Cutoff = cutoff }));

    public static Task<long> DueWebhookLogsAsync(DbTransactionScope scope, DateTimeOffset cutoff) => scope.ExecuteScalarAsync<long>(DueWebhookLogsSql, new { Cutoff = cutoff });

    public static Task<int> PurgeWebhookLogsAsync(DbTransactionScope scope, DateTimeOffset cutoff, int limit) =>
        scope.ExecuteScalarAsync<int>(PurgeWebhookLogsSql, new { Cutoff = cutoff, Limit = limit });

    public static Task<long> DueAuditAsync(DbTransactionScope scope, Guid tenantId, DateTimeOffset cutoff) =>
        scope.ExecuteScalarAsync<long>(DueAuditSql, new { TenantId = tenantId, Cutoff = cutoff });

    public static Task RecordRunAsync(DbTransactionScope scope, Guid tenantId, string countsJson, DateTimeOffset now) =>
        scope.ExecuteAsync(RecordRunSql, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Counts = countsJson, Now = now });
}
