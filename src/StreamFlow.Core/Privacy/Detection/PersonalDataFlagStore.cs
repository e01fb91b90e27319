using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.Detection;

internal sealed record UnscannedLead(Guid Id, byte[]? NotesSealed, string? PlainNotes, string Attributes, DateTimeOffset UpdatedAt);

internal sealed record UnscannedActivity(Guid Id, Guid LeadId, string? Body);

internal sealed record StoredFlags(string RecordType, Guid RecordId, string Found);

/// <summary>A task, quote or visit whose free text waits for the scan: up to two text fields, and the lead it concerns if any.</summary>
internal sealed record UnscannedText(Guid Id, Guid? LeadId, string? First, string? Second, DateTimeOffset UpdatedAt);

/// <summary>The SQL of the personal-data scan: what is due, the flags it records, and a lead's flags for its read.</summary>
internal static class PersonalDataFlagStore
{
    private const string DueLeadsSql = """
        SELECT id AS Id, notes_sealed AS NotesSealed, plain_notes AS PlainNotes, attributes::text AS Attributes, updated_at AS UpdatedAt FROM leads
        WHERE personal_data_scanned_at IS DISTINCT FROM updated_at
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string DueActivitiesSql = """
        SELECT id AS Id, lead_id AS LeadId, body AS Body FROM lead_activities
        WHERE personal_data_scanned_at IS NULL
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string DueTasksSql = """
        SELECT t.id AS Id, COALESCE(t.lead_id, j.lead_id) AS LeadId, t.title AS First, t.notes AS Second, t.updated_at AS UpdatedAt
        FROM tasks t LEFT JOIN jobs j ON j.id = t.job_id
        WHERE t.personal_data_scanned_at IS DISTINCT FROM t.updated_at
        ORDER BY t.id LIMIT @Limit FOR UPDATE OF t SKIP LOCKED
        """;

    private const string DueQuotesSql = """
        SELECT id AS Id, lead_id AS LeadId, message AS First, decline_reason AS Second, updated_at AS UpdatedAt FROM quotes
        WHERE personal_data_scanned_at IS DISTINCT FROM updated_at
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string DueVisitsSql = """
        SELECT v.id AS Id, j.lead_id AS LeadId, v.notes AS First, NULL AS Second, v.updated_at AS UpdatedAt
        FROM visits v JOIN jobs j ON j.id = v.job_id
        WHERE v.personal_data_scanned_at IS DISTINCT FROM v.updated_at
        ORDER BY v.id LIMIT @Limit FOR UPDATE OF v SKIP LOCKED
        """;

    private const string MarkTasksSql = """
        UPDATE tasks t SET personal_data_scanned_at = m.updated_at FROM unnest(@Ids, @UpdatedAts) AS m(id, updated_at) WHERE t.id = m.id
        """;

    private const string MarkQuotesSql = """
        UPDATE quotes q SET personal_data_scanned_at = m.updated_at FROM unnest(@Ids, @UpdatedAts) AS m(id, updated_at) WHERE q.id = m.id
        """;

    private const string MarkVisitsSql = """
        UPDATE visits v SET personal_data_scanned_at = m.updated_at FROM unnest(@Ids, @UpdatedAts) AS m(id, updated_at) WHERE v.id = m.id
        """;

    // Visits can be deleted outright (a scheduled one); their flags go with them at the next scan.
    private const string ClearOrphanFlagsSql = """
        DELETE FROM personal_data_flags f
        WHERE (f.record_type = 'task' AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = f.record_id))
           OR (f.record_type = 'quote' AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.id = f.record_id))
           OR (f.record_type = 'visit' AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = f.record_id))
        """;

    // The lead is marked scanned as of the updated_at it was read with: a change committed after it makes it due again.
    private const string MarkLeadSql = "UPDATE leads SET personal_data_scanned_at = @UpdatedAt WHERE id = @Id";

    private const string MarkActivitiesSql = "UPDATE lead_activities SET personal_data_scanned_at = @Now WHERE id = ANY(@Ids)";

    private const string UpsertFlagsSql = """
        INSERT INTO personal_data_flags (tenant_id, record_type, record_id, lead_id, found, scanned_at)
        VALUES (@TenantId, @RecordType, @RecordId, @LeadId, @Found::jsonb, @Now)
        ON CONFLICT (tenant_id, record_type, record_id) DO UPDATE SET lead_id = excluded.lead_id, found = excluded.found, scanned_at = excluded.scanned_at
        """;

    private const string ClearFlagsSql = "DELETE FROM personal_data_flags WHERE record_type = @RecordType AND record_id = @RecordId";

    // Scanned means the lead's latest change and every task, quote and visit of the lead as it now reads.
    private const string LeadExistsSql = """
        SELECT l.personal_data_scanned_at IS NOT DISTINCT FROM l.updated_at
           AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.lead_id = l.id AND t.personal_data_scanned_at IS DISTINCT FROM t.updated_at)
           AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.lead_id = l.id AND q.personal_data_scanned_at IS DISTINCT FROM q.updated_at)
           AND NOT EXISTS (SELECT 1 FROM visits v JOIN jobs j ON j.id = v.job_id
                           WHERE j.lead_id = l.id AND v.personal_data_scanned_at IS DISTINCT FROM v.updated_at)
        FROM leads l WHERE l.id = @Id AND l.deleted_at IS NULL
        """;

    private const string LeadFlagsSql = """
        SELECT record_type AS RecordType, record_id AS RecordId, found::text AS Found FROM personal_data_flags
        WHERE lead_id = @LeadId ORDER BY record_type, record_id
        """;

    public static async Task<IReadOnlyList<UnscannedLead>> DueLeadsAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<UnscannedLead>(DueLeadsSql, new { Limit = limit })).ToList();

    public static async Task<IReadOnlyList<UnscannedActivity>> DueActivitiesAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<UnscannedActivity>(DueActivitiesSql, new { Limit = limit })).ToList();

    public static async Task<IReadOnlyList<UnscannedText>> DueTextsAsync(DbTransactionScope scope, string recordType, int limit) =>
        (await scope.QueryAsync<UnscannedText>(recordType switch
        {
            "task" => DueTasksSql,
            "quote" => DueQuotesSql,
            "visit" => DueVisitsSql,
            _ => throw new ArgumentOutOfRangeException(nameof(recordType), recordType, "Not a free-text record."),
        }, new { Limit = limit })).ToList();

    /// <summary>Each record scanned as of the updated_at it was read with.</summary>
    public static Task MarkTextsAsync(DbTransactionScope scope, string recordType, IReadOnlyList<UnscannedText> records) =>
        scope.ExecuteAsync(recordType switch
        {
            "task" => MarkTasksSql,
            "quote" => MarkQuotesSql,
            "visit" => MarkVisitsSql,
            _ => throw new ArgumentOutOfRangeException(nameof(recordType), recordType, "Not a free-text record."),
        }, new { Ids = records.Select(r => r.Id).ToArray(), UpdatedAts = records.Select(r => r.UpdatedAt).ToArray() });

    public static Task ClearOrphanFlagsAsync(DbTransactionScope scope) => scope.ExecuteAsync(ClearOrphanFlagsSql);

    public static Task MarkLeadAsync(DbTransactionScope scope, Guid id, DateTimeOffset updatedAt) =>
        scope.ExecuteAsync(MarkLeadSql, new { Id = id, UpdatedAt = updatedAt });

    public static Task MarkActivitiesAsync(DbTransactionScope scope, Guid[] ids, DateTimeOffset now) =>
        scope.ExecuteAsync(MarkActivitiesSql, new { Ids = ids, Now = now });

    public static Task UpsertFlagsAsync(DbTransactionScope scope, Guid tenantId, string recordType, Guid recordId, Guid? leadId, string found, DateTimeOffset now) =>
        scope.ExecuteAsync(UpsertFlagsSql, new { TenantId = tenantId, RecordType = recordType, RecordId = recordId, LeadId = leadId, Found = found, Now = now });

    public static Task ClearFlagsAsync(DbTransactionScope scope, string recordType, Guid recordId) =>
        scope.ExecuteAsync(ClearFlagsSql, new { RecordType = recordType, RecordId = recordId });

    /// <summary>Null when the lead does not exist (or is deleted); otherwise whether its current version has been scanned.</summary>
    public static Task<bool?> LeadScannedAsync(DbTransactionScope scope, Guid leadId) =>
        scope.QuerySingleOrDefaultAsync<bool?>(LeadExistsSql, new { Id = leadId });

    public static async Task<IReadOnlyList<StoredFlags>> LeadFlagsAsync(DbTransactionScope scope, Guid leadId) =>
        (await scope.QueryAsync<StoredFlags>(LeadFlagsSql, new { LeadId = leadId })).ToList();
}
