using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.Detection;

internal sealed record UnscannedLead(Guid Id, string? Notes, string Attributes, DateTimeOffset UpdatedAt);

internal sealed record UnscannedActivity(Guid Id, Guid LeadId, string? Body);

internal sealed record StoredFlags(string RecordType, Guid RecordId, string Found);

/// <summary>The SQL of the personal-data scan: what is due, the flags it records, and a lead's flags for its read.</summary>
internal static class PersonalDataFlagStore
{
    private const string DueLeadsSql = """
        SELECT id AS Id, notes AS Notes, attributes::text AS Attributes, updated_at AS UpdatedAt FROM leads
        WHERE personal_data_scanned_at IS DISTINCT FROM updated_at
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string DueActivitiesSql = """
        SELECT id AS Id, lead_id AS LeadId, body AS Body FROM lead_activities
        WHERE personal_data_scanned_at IS NULL
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    // The lead is marked scanned as of the updated_at it was read with: a change committed after it makes it due again.
    private const string MarkLeadSql = "UPDATE leads SET personal_data_scanned_at = @UpdatedAt WHERE id = @Id";

    private const string MarkActivitiesSql = "UPDATE lead_activities SET personal_data_scanned_at = @Now WHERE id = ANY(@Ids)";

    private const string UpsertFlagsSql = """
        INSERT INTO personal_data_flags (tenant_id, record_type, record_id, lead_id, found, scanned_at)
        VALUES (@TenantId, @RecordType, @RecordId, @LeadId, @Found::jsonb, @Now)
        ON CONFLICT (tenant_id, record_type, record_id) DO UPDATE SET found = excluded.found, scanned_at = excluded.scanned_at
        """;

    private const string ClearFlagsSql = "DELETE FROM personal_data_flags WHERE record_type = @RecordType AND record_id = @RecordId";

    private const string LeadExistsSql = "SELECT personal_data_scanned_at IS NOT DISTINCT FROM updated_at FROM leads WHERE id = @Id AND deleted_at IS NULL";

    private const string LeadFlagsSql = """
        SELECT record_type AS RecordType, record_id AS RecordId, found::text AS Found FROM personal_data_flags
        WHERE lead_id = @LeadId ORDER BY record_type, record_id
        """;

    public static async Task<IReadOnlyList<UnscannedLead>> DueLeadsAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<UnscannedLead>(DueLeadsSql, new { Limit = limit })).ToList();

    public static async Task<IReadOnlyList<UnscannedActivity>> DueActivitiesAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<UnscannedActivity>(DueActivitiesSql, new { Limit = limit })).ToList();

    public static Task MarkLeadAsync(DbTransactionScope scope, Guid id, DateTimeOffset updatedAt) =>
        scope.ExecuteAsync(MarkLeadSql, new { Id = id, UpdatedAt = updatedAt });

    public static Task MarkActivitiesAsync(DbTransactionScope scope, Guid[] ids, DateTimeOffset now) =>
        scope.ExecuteAsync(MarkActivitiesSql, new { Ids = ids, Now = now });

    public static Task UpsertFlagsAsync(DbTransactionScope scope, Guid tenantId, string recordType, Guid recordId, Guid leadId, string found, DateTimeOffset now) =>
        scope.ExecuteAsync(UpsertFlagsSql, new { TenantId = tenantId, RecordType = recordType, RecordId = recordId, LeadId = leadId, Found = found, Now = now });

    public static Task ClearFlagsAsync(DbTransactionScope scope, string recordType, Guid recordId) =>
        scope.ExecuteAsync(ClearFlagsSql, new { RecordType = recordType, RecordId = recordId });

    /// <summary>Null when the lead does not exist (or is deleted); otherwise whether its current version has been scanned.</summary>
    public static Task<bool?> LeadScannedAsync(DbTransactionScope scope, Guid leadId) =>
        scope.QuerySingleOrDefaultAsync<bool?>(LeadExistsSql, new { Id = leadId });

    public static async Task<IReadOnlyList<StoredFlags>> LeadFlagsAsync(DbTransactionScope scope, Guid leadId) =>
        (await scope.QueryAsync<StoredFlags>(LeadFlagsSql, new { LeadId = leadId })).ToList();
}
