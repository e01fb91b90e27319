using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.SubjectRequests;

internal sealed record StoredSubjectRequest(
    Guid Id,
    string Kind,
    string Status,
    string SubjectKind,
    byte[] SubjectIndex,
    string RequestedBy,
    string Found,
    string? ExportJsonBlob,
    string? ExportCsvBlob,
    DateTimeOffset? ExportExpiresAt,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

/// <summary>A lead of the person with its sealed fields, as the export and the erasure read it.</summary>
internal sealed record SubjectLeadRow(
    Guid Id, string Row, byte[]? EmailSealed, byte[]? PhoneSealed, byte[]? NotesSealed, string? PlainNotes, byte[]? EmailIndex, byte[]? PhoneIndex,
    byte[]? PostalCodeSealed, byte[]? StateSealed, byte[]? CitySealed, byte[]? CountrySealed,
    string? PlainPostalCode, string? PlainState, string? PlainCity, string? PlainCountry);

/// <summary>A related record as JSON (to_jsonb of its row), with the lead it belongs to.</summary>
internal sealed record SubjectRecordRow(Guid? LeadId, string Row);

internal sealed record SuppressionRow(Guid TenantId, string Kind, byte[] BlindIndex, Guid RequestId, DateTimeOffset SuppressedAt);

internal sealed record SuppressedLead(Guid LeadId, Guid RequestId);

internal sealed record ErasedCounts(int Leads, int Activities, int Quotes, int Jobs, int VisitNotes, int Signatures, int CustomerInvoices, int SourceLinks, int Tasks);

/// <summary>What an erasure removed from field records and the change feed beyond the rows <see cref="ErasedCounts"/> counts.</summary>
internal sealed record ErasedFieldMedia(int Photos, int SignatureImages);

/// <summary>
/// The SQL of data-subject requests and of finding, exporting and erasing a person's records across leads, their
/// timeline, quotes, jobs and visits, and the customer invoices that bill them. Runs in the tenant's transaction.
/// </summary>
internal static class SubjectRequestStore
{
    private const string InsertSql = """
        INSERT INTO privacy_requests (id, tenant_id, kind, status, subject_kind, subject_index, requested_by, created_at)
        VALUES (@Id, @TenantId, @Kind, 'pending', @SubjectKind, @SubjectIndex, @RequestedBy, @Now)
        """;

    private const string FindSql = """
        SELECT id AS Id, kind AS Kind, status AS Status, subject_kind AS SubjectKind, subject_index AS SubjectIndex,
               requested_by AS RequestedBy, found::text AS Found, export_json_blob AS ExportJsonBlob, export_csv_blob AS ExportCsvBlob,
               export_expires_at AS ExportExpiresAt, error AS Error, created_at AS CreatedAt, started_at AS StartedAt, completed_at AS CompletedAt
        FROM privacy_requests WHERE id = @Id
        """;

    private const string MarkRunningSql = """
        UPDATE privacy_requests SET status = 'running', started_at = coalesce(started_at, @Now) WHERE id = @Id AND status IN ('pending', 'running')
        """;

    private const string CompleteSql = """
        UPDATE privacy_requests
        SET status = 'completed', found = CAST(@Found AS jsonb), export_json_blob = @JsonBlob, export_csv_blob = @CsvBlob,
            export_expires_at = @ExpiresAt, completed_at = @Now, error = NULL
        WHERE id = @Id
        """;

    private const string FailSql = "UPDATE privacy_requests SET status = 'failed', error = @Error, completed_at = @Now WHERE id = @Id AND status <> 'completed'";

    // Soft-deleted leads are the person's data too; already erased ones hold nothing more.
    private const string LeadsOfSubjectSql = """
        SELECT id AS Id,
               (to_jsonb(l) - ARRAY['email_sealed', 'phone_sealed', 'email_index', 'phone_index', 'plain_email', 'plain_phone',
                                    'notes_sealed', 'notes_terms', 'plain_notes', 'postal_code_sealed', 'state_sealed', 'city_sealed', 'country_sealed',
                                    'state_index', 'postal_area_index', 'plain_postal_code', 'plain_state', 'plain_city', 'plain_country',
                                    'search_text', 'search_vector', 'personal_key_version', 'tenant_id'])::text AS Row,
               email_sealed AS EmailSealed, phone_sealed AS PhoneSealed, notes_sealed AS NotesSealed, plain_notes AS PlainNotes, email_index AS EmailIndex, phone_index AS PhoneIndex,
               postal_code_sealed AS PostalCodeSealed, state_sealed AS StateSealed, city_sealed AS CitySealed, country_sealed AS CountrySealed,
               plain_postal_code AS PlainPostalCode, plain_state AS PlainState, plain_city AS PlainCity, plain_country AS PlainCountry
        FROM leads l
        WHERE erased_at IS NULL AND (email_index = @SubjectIndex OR phone_index = @SubjectIndex)
        ORDER BY id
        """;

    private const string ActivitiesSql = """
        SELECT lead_id AS LeadId, (to_jsonb(a) - 'tenant_id')::text AS Row FROM lead_activities a WHERE lead_id = ANY(@LeadIds) ORDER BY occurred_at, id
        """;

    private const string StageHistorySql = """
        SELECT lead_id AS LeadId, (to_jsonb(h) - 'tenant_id')::text AS Row FROM lead_stage_history h WHERE lead_id = ANY(@LeadIds) ORDER BY id
        """;

    private const string QuotesSql = """
        SELECT lead_id AS LeadId, (to_jsonb(q) - ARRAY['tenant_id', 'approval_token_hash'])::text AS Row FROM quotes q WHERE lead_id = ANY(@LeadIds) ORDER BY number, version
        """;

    private const string JobsSql = """
        SELECT lead_id AS LeadId, (to_jsonb(j) - 'tenant_id')::text AS Row FROM jobs j WHERE lead_id = ANY(@LeadIds) ORDER BY id
        """;

    private const string VisitsSql = """
        SELECT j.lead_id AS LeadId,
               (to_jsonb(v) - 'tenant_id'
                || jsonb_build_object('visitNotes', coalesce((SELECT jsonb_agg(to_jsonb(n) - 'tenant_id' ORDER BY n.created_at) FROM visit_notes n WHERE n.visit_id = v.id), '[]'::jsonb))
                || jsonb_build_object('signature', (SELECT to_jsonb(s) - ARRAY['tenant_id', 'blob_name'] FROM visit_signatures s WHERE s.visit_id = v.id)))::text AS Row
        FROM visits v JOIN jobs j ON j.id = v.job_id
        WHERE j.lead_id = ANY(@LeadIds) ORDER BY v.window_start, v.id
        """;

    // An invoice bills a person through the visits of their jobs or the quotes made to them.
    private const string InvoicesSql = """
        SELECT NULL::uuid AS LeadId, (to_jsonb(i) - 'tenant_id')::text AS Row
        FROM customer_invoices i
        WHERE i.id IN (
            SELECT it.invoice_id FROM customer_invoice_items it
            LEFT JOIN visits v ON v.id = it.visit_id
            LEFT JOIN jobs j ON j.id = v.job_id
            LEFT JOIN quotes q ON q.id = it.quote_id
            WHERE j.lead_id = ANY(@LeadIds) OR q.lead_id = ANY(@LeadIds))
        ORDER BY i.number
        """;

    private const string SourceLinksSql = """
        SELECT lead_id AS LeadId, (to_jsonb(s) - 'tenant_id')::text AS Row FROM lead_source_links s WHERE lead_id = ANY(@LeadIds) ORDER BY first_seen_at
        """;

    // Personal fields cleared or replaced by the request's pseudonym everywhere; the invoices the law requires to keep
    // keep their numbers and amounts under the pseudonym. The lead row stays (erased_at) for the records that refer to it.
    private const string EraseSql = """
        WITH lead_jobs AS (
            UPDATE jobs SET customer_name = @Pseudonym, address = '(erased)', latitude = 0, longitude = 0, version = version + 1, updated_at = @Now
            WHERE lead_id = ANY(@LeadIds) RETURNING id),
        lead_quotes AS (
            UPDATE quotes SET customer_name = @Pseudonym, customer_email = NULL, service_address = '(erased)', latitude = 0, longitude = 0,
                message = NULL, decline_reason = NULL, approval_token_hash = NULL, token_expires_at = NULL,
                decided_by_name = CASE WHEN decided_by_name IS NULL THEN NULL ELSE @Pseudonym END, updated_at = @Now
            WHERE lead_id = ANY(@LeadIds) RETURNING id),
        lead_visits AS (
            UPDATE visits SET notes = NULL, version = version + 1, updated_at = @Now
            WHERE job_id IN (SELECT id FROM lead_jobs) RETURNING id),
        notes AS (
            UPDATE visit_notes SET text = '(erased)' WHERE visit_id IN (SELECT id FROM lead_visits) RETURNING id),
        signatures AS (
            UPDATE visit_signatures SET signer_name = @Pseudonym WHERE visit_id IN (SELECT id FROM lead_visits) RETURNING visit_id),
        invoices AS (
            UPDATE customer_invoices SET customer_name = @Pseudonym, notes = NULL, updated_at = @Now
            WHERE id IN (SELECT it.invoice_id FROM customer_invoice_items it
                         WHERE it.visit_id IN (SELECT id FROM lead_visits) OR it.quote_id IN (SELECT id FROM lead_quotes))
            RETURNING id),
        activities AS (
            DELETE FROM lead_activities WHERE lead_id = ANY(@LeadIds) RETURNING id),
        named AS (
            SELECT lower(first_name || ' ' || last_name) AS full_name FROM leads
            WHERE id = ANY(@LeadIds) AND erased_at IS NULL AND first_name IS NOT NULL AND last_name IS NOT NULL),
        -- Tasks about the person: linked to the lead, or naming them (first and last name) in the title or notes.
        lead_tasks AS (
            UPDATE tasks SET title = 'Task about ' || @Pseudonym, notes = NULL, version = version + 1, updated_at = @Now
            WHERE lead_id = ANY(@LeadIds)
               OR EXISTS (SELECT 1 FROM named WHERE strpos(lower(tasks.title), named.full_name) > 0 OR strpos(lower(coalesce(tasks.notes, '')), named.full_name) > 0)
            RETURNING id),
        flags AS (
            DELETE FROM personal_data_flags WHERE lead_id = ANY(@LeadIds) RETURNING 1),
        links AS (
            DELETE FROM lead_source_links WHERE lead_id = ANY(@LeadIds) RETURNING lead_id),
        attachments AS (
            DELETE FROM lead_source_attachments WHERE lead_id = ANY(@LeadIds) RETURNING id),
        erased AS (
            UPDATE leads SET first_name = NULL, last_name = NULL, company = NULL, email_sealed = NULL, phone_sealed = NULL,
                email_index = NULL, phone_index = NULL, personal_key_version = NULL, plain_email = NULL, plain_phone = NULL,
                notes_sealed = NULL, notes_terms = NULL, plain_notes = NULL,
                external_id = NULL, postal_code_sealed = NULL, state_sealed = NULL, city_sealed = NULL, country_sealed = NULL,
                state_index = NULL, postal_area_index = NULL, plain_postal_code = NULL, plain_state = NULL, plain_city = NULL, plain_country = NULL,
                attributes = '{}'::jsonb, lost_reason = NULL, deleted_at = coalesce(deleted_at, @Now), erased_at = @Now,
                version = version + 1, updated_at = @Now
            WHERE id = ANY(@LeadIds) AND erased_at IS NULL RETURNING id)
        SELECT (SELECT count(*) FROM erased)::int AS Leads, (SELECT count(*) FROM activities)::int AS Activities,
               (SELECT count(*) FROM lead_quotes)::int AS Quotes, (SELECT count(*) FROM lead_jobs)::int AS Jobs,
               (SELECT count(*) FROM notes)::int AS VisitNotes, (SELECT count(*) FROM signatures)::int AS Signatures,
               (SELECT count(*) FROM invoices)::int AS CustomerInvoices,
               ((SELECT count(*) FROM links) + (SELECT count(*) FROM attachments))::int AS SourceLinks,
               (SELECT count(*) FROM lead_tasks)::int AS Tasks
        """;

    private const string FieldMediaSql = """
        SELECT p.blob_name FROM visit_photos p JOIN visits v ON v.id = p.visit_id JOIN jobs j ON j.id = v.job_id WHERE j.lead_id = ANY(@LeadIds)
        UNION ALL
        SELECT s.blob_name FROM visit_signatures s JOIN visits v ON v.id = s.visit_id JOIN jobs j ON j.id = v.job_id
        WHERE j.lead_id = ANY(@LeadIds) AND s.blob_name <> @ErasedBlob
        """;

    // The signature row stays (that the work was signed, when, under the pseudonym); its image is gone.
    private const string EraseFieldMediaSql = """
        WITH photos AS (
            DELETE FROM visit_photos WHERE visit_id IN (SELECT v.id FROM visits v JOIN jobs j ON j.id = v.job_id WHERE j.lead_id = ANY(@LeadIds))
            RETURNING 1),
        images AS (
            UPDATE visit_signatures SET blob_name = @ErasedBlob
            WHERE blob_name <> @ErasedBlob AND visit_id IN (SELECT v.id FROM visits v JOIN jobs j ON j.id = v.job_id WHERE j.lead_id = ANY(@LeadIds))
            RETURNING 1)
        SELECT (SELECT count(*) FROM photos)::int AS Photos, (SELECT count(*) FROM images)::int AS SignatureImages
        """;

    private const string EraseWebhookPayloadsSql = "SELECT privacy_erase_webhook_payloads(@LeadIds, @Pseudonym)";

    /// <summary>The blob name an erased signature image is replaced by.</summary>
    public const string ErasedBlob = "(erased)";

    private const string SuppressSql = """
        INSERT INTO privacy_suppressions (tenant_id, kind, blind_index, request_id, suppressed_at)
        SELECT @TenantId, k.kind, k.blind_index, @RequestId, @Now
        FROM unnest(@Kinds, @Indexes) AS k (kind, blind_index)
        ON CONFLICT DO NOTHING
        """;

    // Every tenant's list: read by the backup role (BYPASSRLS) on the live database when a restore applies it.
    private const string SuppressionsSql = """
        SELECT tenant_id AS TenantId, kind AS Kind, blind_index AS BlindIndex, request_id AS RequestId, suppressed_at AS SuppressedAt
        FROM privacy_suppressions ORDER BY tenant_id, suppressed_at
        """;

    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)";

    private const string CarrySuppressionsSql = """
        INSERT INTO privacy_suppressions (tenant_id, kind, blind_index, request_id, suppressed_at)
        SELECT @TenantId, k.kind, k.blind_index, k.request_id, k.suppressed_at
        FROM unnest(@Kinds, @Indexes, @RequestIds, @SuppressedAts) AS k (kind, blind_index, request_id, suppressed_at)
        ON CONFLICT DO NOTHING
        """;

    private const string SuppressedLeadsSql = """
        SELECT DISTINCT ON (l.id) l.id AS LeadId, s.request_id AS RequestId
        FROM leads l
        JOIN privacy_suppressions s ON (s.kind = 'email' AND s.blind_index = l.email_index) OR (s.kind = 'phone' AND s.blind_index = l.phone_index)
        WHERE l.erased_at IS NULL
        ORDER BY l.id, s.suppressed_at
        """;

    public static Task InsertAsync(DbTransactionScope scope, Guid id, Guid tenantId, string kind, string subjectKind, byte[] subjectIndex, string requestedBy, DateTimeOffset now) =>
        scope.ExecuteAsync(InsertSql, new { Id = id, TenantId = tenantId, Kind = kind, SubjectKind = subjectKind, SubjectIndex = subjectIndex, RequestedBy = requestedBy, Now = now });

    public static Task<StoredSubjectRequest?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.QuerySingleOrDefaultAsync<StoredSubjectRequest>(FindSql, new { Id = id });

    public static Task MarkRunningAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.ExecuteAsync(MarkRunningSql, new { Id = id, Now = now });

    public static Task CompleteAsync(DbTransactionScope scope, Guid id, string foundJson, string? jsonBlob, string? csvBlob, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        scope.ExecuteAsync(CompleteSql, new { Id = id, Found = foundJson, JsonBlob = jsonBlob, CsvBlob = csvBlob, ExpiresAt = expiresAt, Now = now });

    public static Task FailAsync(DbTransactionScope scope, Guid id, string error, DateTimeOffset now) =>
        scope.ExecuteAsync(FailSql, new { Id = id, Error = error, Now = now });

    public static async Task<IReadOnlyList<SubjectLeadRow>> LeadsOfSubjectAsync(DbTransactionScope scope, byte[] subjectIndex) =>
        (await scope.QueryAsync<SubjectLeadRow>(LeadsOfSubjectSql, new { SubjectIndex = subjectIndex })).ToList();

    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<SubjectRecordRow>>> RelatedRecordsAsync(DbTransactionScope scope, Guid[] leadIds)
    {
        var records = new Dictionary<string, IReadOnlyList<SubjectRecordRow>>(StringComparer.Ordinal);
        foreach (var (name, sql) in new[]
        {
            ("activities", ActivitiesSql), ("stageHistory", StageHistorySql), ("quotes", QuotesSql), ("jobs", JobsSql),
            ("visits", VisitsSql), ("sourceLinks", SourceLinksSql), ("customerInvoices", InvoicesSql),
        })
        {
            records[name] = (await scope.QueryAsync<SubjectRecordRow>(sql, new { LeadIds = leadIds })).ToList();
        }

        return records;
    }

    public static Task<ErasedCounts?> EraseAsync(DbTransactionScope scope, Guid[] leadIds, string pseudonym, DateTimeOffset now) =>
        scope.QuerySingleOrDefaultAsync<ErasedCounts>(EraseSql, new { LeadIds = leadIds, Pseudonym = pseudonym, Now = now });

    /// <summary>The blobs of the visit photos and signature images of the leads' jobs (the erasure deletes them before it commits).</summary>
    public static async Task<IReadOnlyList<string>> FieldMediaAsync(DbTransactionScope scope, Guid[] leadIds) =>
        (await scope.QueryAsync<string>(FieldMediaSql, new { LeadIds = leadIds, ErasedBlob })).ToList();

    public static async Task<ErasedFieldMedia> EraseFieldMediaAsync(DbTransactionScope scope, Guid[] leadIds) =>
        (await scope.QuerySingleOrDefaultAsync<ErasedFieldMedia>(EraseFieldMediaSql, new { LeadIds = leadIds, ErasedBlob }))!;

    /// <summary>Change-feed and webhook events naming one of the leads keep their id, type and time; their payload becomes a stub.</summary>
    public static async Task<int> EraseWebhookPayloadsAsync(DbTransactionScope scope, Guid[] leadIds, string pseudonym) =>
        await scope.ExecuteScalarAsync<int>(EraseWebhookPayloadsSql, new { LeadIds = leadIds, Pseudonym = pseudonym });

    public static Task SuppressAsync(DbTransactionScope scope, Guid tenantId, Guid requestId, IReadOnlyList<(string Kind, byte[] Index)> entries, DateTimeOffset now) =>
        scope.ExecuteAsync(SuppressSql, new
        {
            TenantId = tenantId, RequestId = requestId, Now = now,
            Kinds = entries.Select(e => e.Kind).ToArray(), Indexes = entries.Select(e => e.Index).ToArray(),
        });

    public static async Task<IReadOnlyList<SuppressionRow>> SuppressionsAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<SuppressionRow>(SuppressionsSql)).ToList();

    public static async Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        await scope.ExecuteScalarAsync<bool>(TenantExistsSql, new { TenantId = tenantId });

    public static Task CarrySuppressionsAsync(DbTransactionScope scope, IReadOnlyList<SuppressionRow> rows) =>
        scope.ExecuteAsync(CarrySuppressionsSql, new
        {
            rows[0].TenantId,
            Kinds = rows.Select(r => r.Kind).ToArray(), Indexes = rows.Select(r => r.BlindIndex).ToArray(),
            RequestIds = rows.Select(r => r.RequestId).ToArray(), SuppressedAts = rows.Select(r => r.SuppressedAt).ToArray(),
        });

    public static async Task<IReadOnlyList<SuppressedLead>> SuppressedLeadsAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<SuppressedLead>(SuppressedLeadsSql)).ToList();
}
