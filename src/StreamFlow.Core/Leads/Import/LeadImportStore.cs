using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Leads.Import;

/// <summary>The SQL of lead imports (runs and the upsert of imported rows); every method runs in the caller's tenant transaction.</summary>
internal static class LeadImportStore
{
    private const string InsertRunSql = """
        INSERT INTO lead_imports (id, tenant_id, status, blob_name, external_id_column, outcome_column, created_by, created_at)
        VALUES (@Id, @TenantId, 'pending', @BlobName, @ExternalIdColumn, @OutcomeColumn, @CreatedBy, @Now)
        """;

    private const string RunSql = """
        SELECT id AS Id, status AS Status, total AS Total, processed AS Processed, failed AS Failed, created AS Created, updated AS Updated,
               errors::text AS Errors, error AS Error, created_at AS CreatedAt, completed_at AS CompletedAt,
               blob_name AS BlobName, external_id_column AS ExternalIdColumn, outcome_column AS OutcomeColumn
        FROM lead_imports WHERE id = @Id
        """;

    private const string ParsedSql = """
        UPDATE lead_imports SET status = 'running', total = @Total, failed = @Failed, errors = @Errors::jsonb WHERE id = @Id
        """;

    private const string FailRunSql = "UPDATE lead_imports SET status = 'failed', error = @Error, completed_at = @Now WHERE id = @Id";

    private const string ChunkDoneSql = """
        UPDATE lead_imports SET processed = processed + @Processed, failed = failed + @Failed, created = created + @Created, updated = updated + @Updated,
            errors = CASE WHEN jsonb_array_length(errors) < @MaxErrors THEN errors || @Errors::jsonb ELSE errors END
        WHERE id = @Id
        """;

    private const string CompleteSql = "UPDATE lead_imports SET status = 'completed', completed_at = @Now WHERE id = @Id AND status = 'running'";

    private const string UpsertSql = """
        INSERT INTO leads (id, tenant_id, first_name, last_name, company, email_sealed, phone_sealed, email_index, phone_index, personal_key_version,
                           source, external_id, postal_code_sealed, state_sealed, city_sealed, country_sealed, state_index, postal_area_index,
                           notes_sealed, notes_terms, attributes, stage, outcome, outcome_at, created_at, updated_at)
        VALUES (@Id, @TenantId, @FirstName, @LastName, @Company, @EmailSealed, @PhoneSealed, @EmailIndex, @PhoneIndex, @KeyVersion,
                @Source, @ExternalId, @PostalCodeSealed, @StateSealed, @CitySealed, @CountrySealed, @StateIndex, @PostalAreaIndex,
                @NotesSealed, @NotesTerms, @Attributes::jsonb, @Stage, @Outcome, CASE WHEN @Outcome IS NULL THEN NULL ELSE @Now END, @Now, @Now)
        ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
            first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, company = EXCLUDED.company,
            email_sealed = EXCLUDED.email_sealed, phone_sealed = EXCLUDED.phone_sealed, email_index = EXCLUDED.email_index,
            phone_index = EXCLUDED.phone_index, personal_key_version = EXCLUDED.personal_key_version, source = EXCLUDED.source,
            postal_code_sealed = EXCLUDED.postal_code_sealed, state_sealed = EXCLUDED.state_sealed, city_sealed = EXCLUDED.city_sealed,
            country_sealed = EXCLUDED.country_sealed, state_index = EXCLUDED.state_index, postal_area_index = EXCLUDED.postal_area_index,
            plain_postal_code = NULL, plain_state = NULL, plain_city = NULL, plain_country = NULL, notes_sealed = EXCLUDED.notes_sealed, notes_terms = EXCLUDED.notes_terms, plain_notes = NULL, attributes = EXCLUDED.attributes,
            stage = CASE WHEN EXCLUDED.outcome IS NULL THEN leads.stage ELSE EXCLUDED.stage END,
            outcome = COALESCE(EXCLUDED.outcome, leads.outcome), outcome_at = COALESCE(EXCLUDED.outcome_at, leads.outcome_at),
            deleted_at = NULL, score_status = 'pending', version = leads.version + 1, updated_at = EXCLUDED.updated_at
        RETURNING id AS Id, (xmax = 0) AS Inserted
        """;

    // The sealed email and phone are bound to the row id: an update by external id must seal for the existing row's id.
    private const string IdByExternalIdSql = "SELECT id FROM leads WHERE external_id = @ExternalId";

    public static Task<Guid?> IdByExternalIdAsync(DbTransactionScope scope, string externalId) =>
        scope.Connection.QuerySingleOrDefaultAsync<Guid?>(scope.Command(IdByExternalIdSql, new { ExternalId = externalId }));

    public static Task<int> InsertRunAsync(
        DbTransactionScope scope, Guid id, Guid tenantId, string blobName, string? externalIdColumn, string? outcomeColumn, string createdBy, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertRunSql, new
        {
            Id = id, TenantId = tenantId, BlobName = blobName, ExternalIdColumn = externalIdColumn, OutcomeColumn = outcomeColumn,
            CreatedBy = createdBy, Now = now,
        }));

    public static Task<LeadImportRow?> FindRunAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<LeadImportRow>(scope.Command(RunSql, new { Id = id }));

    public static Task<int> MarkParsedAsync(DbTransactionScope scope, Guid id, int total, int failed, string errorsJson) =>
        scope.Connection.ExecuteAsync(scope.Command(ParsedSql, new { Id = id, Total = total, Failed = failed, Errors = errorsJson }));

    public static Task<int> FailAsync(DbTransactionScope scope, Guid id, string? error, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(FailRunSql, new { Id = id, Error = error, Now = now }));

    public static Task<int> RecordChunkAsync(DbTransactionScope scope, Guid id, int processed, int failed, int created, int updated, int maxErrors, string errorsJson) =>
        scope.Connection.ExecuteAsync(scope.Command(ChunkDoneSql, new
        {
            Id = id, Processed = processed, Failed = failed, Created = created, Updated = updated, MaxErrors = maxErrors, Errors = errorsJson,
        }));

    public static Task<int> CompleteAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(CompleteSql, new { Id = id, Now = now }));

    /// <summary>Inserts or updates (by external id) one imported lead.</summary>
    public static Task<UpsertedLead> UpsertLeadAsync(DbTransactionScope scope, ImportedLeadRow lead) =>
        scope.Connection.QuerySingleAsync<UpsertedLead>(scope.Command(UpsertSql, lead));
}

/// <summary>One imported lead as the upsert writes it (normalized, attributes as JSON).</summary>
internal sealed record ImportedLeadRow(
    Guid Id, Guid TenantId, string? FirstName, string? LastName, string? Company, byte[]? EmailSealed, byte[]? PhoneSealed, byte[]? EmailIndex,
    byte[]? PhoneIndex, int? KeyVersion, string? Source,
    string? ExternalId, byte[]? PostalCodeSealed, byte[]? StateSealed, byte[]? CitySealed, byte[]? CountrySealed, byte[]? StateIndex, byte[]? PostalAreaIndex,
    byte[]? NotesSealed, long[]? NotesTerms, string Attributes,
    string Stage, string? Outcome, DateTimeOffset Now);

internal sealed record UpsertedLead
{
    public Guid Id { get; init; }

    public bool Inserted { get; init; }
}

internal sealed record LeadImportRow
{
    public Guid Id { get; init; }

    public string Status { get; init; } = "";

    public int Total { get; init; }

    public int Processed { get; init; }

    public int Failed { get; init; }

    public int Created { get; init; }

    public int Updated { get; init; }

    public string Errors { get; init; } = "[]";

    public string? Error { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string BlobName { get; init; } = "";

    public string? ExternalIdColumn { get; init; }

    public string? OutcomeColumn { get; init; }

    public LeadImportStatus ToStatus() => new(
        Id, Status, Total, Processed, Failed, Created, Updated,
        JsonSerializer.Deserialize<List<ImportRowError>>(Errors, StreamFlowJson.Options) ?? [], Error, CreatedAt, CompletedAt);
}
