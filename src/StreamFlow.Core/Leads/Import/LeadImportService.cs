using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Leads.Import;

public sealed record LeadImportStatus(
    Guid Id,
    string Status,
    int Total,
    int Processed,
    int Failed,
    int Created,
    int Updated,
    IReadOnlyList<ImportRowError> Errors,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

public sealed record ImportChunkResult(int Processed, int Failed, IReadOnlyList<Guid> LeadIds);

/// <summary>
/// CSV imports in steps an orchestration can resume: the file is kept in Blob storage, parsed once into chunk blobs
/// (bad rows reported with their row numbers), and each chunk is upserted by external id and scored in one go, so
/// importing the same file again updates rather than duplicates.
/// </summary>
public sealed class LeadImportService(
    StreamFlowDatabase database,
    BlobServiceClient blobs,
    LeadCsvReader reader,
    PipelineService pipeline,
    IImportedLeadScorer scoring,
    TimeProvider timeProvider)
{
    public const int ChunkSize = 500;
    private const int MaxStoredErrors = 1000;

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
        INSERT INTO leads (id, tenant_id, first_name, last_name, company, email, phone, source, external_id, postal_code, state, city, country,
                           notes, attributes, stage, outcome, outcome_at, created_at, updated_at)
        VALUES (@Id, @TenantId, @FirstName, @LastName, @Company, @Email, @Phone, @Source, @ExternalId, @PostalCode, @State, @City, @Country,
                @Notes, @Attributes::jsonb, @Stage, @Outcome, CASE WHEN @Outcome IS NULL THEN NULL ELSE @Now END, @Now, @Now)
        ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
            first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, company = EXCLUDED.company, email = EXCLUDED.email,
            phone = EXCLUDED.phone, source = EXCLUDED.source, postal_code = EXCLUDED.postal_code, state = EXCLUDED.state, city = EXCLUDED.city,
            country = EXCLUDED.country, notes = EXCLUDED.notes, attributes = EXCLUDED.attributes,
            stage = CASE WHEN EXCLUDED.outcome IS NULL THEN leads.stage ELSE EXCLUDED.stage END,
            outcome = COALESCE(EXCLUDED.outcome, leads.outcome), outcome_at = COALESCE(EXCLUDED.outcome_at, leads.outcome_at),
            deleted_at = NULL, score_status = 'pending', version = leads.version + 1, updated_at = EXCLUDED.updated_at
        RETURNING id AS Id, (xmax = 0) AS Inserted
        """;

    public async Task<Result<Guid>> StartAsync(Guid tenantId, string actor, Stream csv, string? externalIdColumn, string? outcomeColumn, CancellationToken cancellationToken)
    {
        var importId = Guid.CreateVersion7();
        var blobName = $"imports/{tenantId}/{importId}.csv";
        var blob = blobs.GetBlobContainerClient(BlobContainerNames.Documents).GetBlobClient(blobName);
        await blob.UploadAsync(csv, overwrite: true, cancellationToken);
        await database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(InsertRunSql, new
        {
            Id = importId, TenantId = tenantId, BlobName = blobName, ExternalIdColumn = externalIdColumn, OutcomeColumn = outcomeColumn,
            CreatedBy = actor, Now = timeProvider.GetUtcNow(),
        })), cancellationToken);
        return importId;
    }

    public async Task<LeadImportStatus?> StatusAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken) =>
        (await FindAsync(tenantId, importId, cancellationToken))?.ToStatus();

    /// <summary>Parses the stored file once; returns how many chunks of good rows there are (0 when the file is unusable).</summary>
    public async Task<int> ParseAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken)
    {
        var run = await FindAsync(tenantId, importId, cancellationToken) ?? throw new InvalidOperationException($"Import {importId} does not exist.");
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Documents);
        await using var csv = await container.GetBlobClient(run.BlobName).OpenReadAsync(cancellationToken: cancellationToken);
        var parsed = await reader.ReadAsync(csv, new LeadCsvImportOptions { ExternalIdColumn = run.ExternalIdColumn, OutcomeColumn = run.OutcomeColumn }, cancellationToken);
        if (!parsed.Succeeded)
        {
            await database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(FailRunSql, new { Id = importId, Error = parsed.Problem.Detail, Now = timeProvider.GetUtcNow() })), cancellationToken);
            return 0;
        }

        var chunks = parsed.Value.Chunks(ChunkSize).ToList();
        foreach (var chunk in chunks)
        {
            await container.GetBlobClient(ChunkBlob(run.BlobName, chunk.Index))
                .UploadAsync(BinaryData.FromObjectAsJson(chunk.Leads, StreamFlowJson.Options), overwrite: true, cancellationToken);
        }

        await database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(ParsedSql, new
        {
            Id = importId, Total = parsed.Value.TotalRows, Failed = parsed.Value.Errors.Count,
            Errors = JsonSerializer.Serialize(parsed.Value.Errors.Take(MaxStoredErrors), StreamFlowJson.Options),
        })), cancellationToken);
        return chunks.Count;
    }

    /// <summary>Upserts one chunk by external id and scores its leads. Running it twice updates the same leads.</summary>
    public async Task<ImportChunkResult> ImportChunkAsync(Guid tenantId, Guid importId, int chunkIndex, CancellationToken cancellationToken)
    {
        var run = await FindAsync(tenantId, importId, cancellationToken) ?? throw new InvalidOperationException($"Import {importId} does not exist.");
        var content = await blobs.GetBlobContainerClient(BlobContainerNames.Documents).GetBlobClient(ChunkBlob(run.BlobName, chunkIndex)).DownloadContentAsync(cancellationToken);
        var leads = JsonSerializer.Deserialize<List<ImportedLead>>(content.Value.Content.ToMemory().Span, StreamFlowJson.Options) ?? [];
        var stages = await pipeline.StagesAsync(tenantId, cancellationToken);
        var openStage = stages.First(s => s.Kind == StageKind.Open).Key;
        var wonStage = stages.First(s => s.Kind == StageKind.Won).Key;
        var lostStage = stages.First(s => s.Kind == StageKind.Lost).Key;
        var errors = new List<ImportRowError>();
        var ids = new List<Guid>();
        var (created, updated) = (0, 0);
        await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            foreach (var lead in leads)
            {
                await scope.Transaction.SaveAsync("row", cancellationToken);
                try
                {
                    var outcome = lead.Outcome switch { ImportedOutcome.Won => "won", ImportedOutcome.Lost => "lost", _ => null };
                    var (first, last) = SplitName(lead);
                    var row = await scope.Connection.QuerySingleAsync<UpsertRow>(scope.Command(UpsertSql, new
                    {
                        Id = Guid.CreateVersion7(), TenantId = tenantId, FirstName = first, LastName = last, lead.Company,
                        Email = LeadValidation.NormalizeEmail(lead.Email), Phone = LeadValidation.NormalizePhone(lead.Phone), lead.Source,
                        lead.ExternalId, lead.PostalCode, lead.State, lead.City, lead.Country, lead.Notes,
                        Attributes = JsonSerializer.Serialize(StoredAttributes.ToJson(lead.Attributes), StreamFlowJson.Options),
                        Stage = outcome switch { "won" => wonStage, "lost" => lostStage, _ => openStage }, Outcome = outcome, Now = now,
                    }));
                    await scope.Transaction.ReleaseAsync("row", cancellationToken);
                    ids.Add(row.Id);
                    if (row.Inserted)
                    {
                        created++;
                    }
                    else
                    {
                        updated++;
                    }
                }
                catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.CheckViolation)
                {
                    await scope.Transaction.RollbackAsync("row", cancellationToken);
                    errors.Add(new ImportRowError(lead.Row, exception.SqlState == PostgresErrorCodes.UniqueViolation
                        ? "Another lead already has this email or phone number."
                        : "A value is out of range."));
                }
            }

            await scope.Connection.ExecuteAsync(scope.Command(ChunkDoneSql, new
            {
                Id = importId, Processed = ids.Count, Failed = errors.Count, Created = created, Updated = updated, MaxErrors = MaxStoredErrors,
                Errors = JsonSerializer.Serialize(errors, StreamFlowJson.Options),
            }));
            return true;
        }, cancellationToken);

        await scoring.ScoreImportedAsync(tenantId, ids, cancellationToken);
        return new ImportChunkResult(ids.Count, errors.Count, ids);
    }

    public Task CompleteAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(CompleteSql, new { Id = importId, Now = timeProvider.GetUtcNow() })), cancellationToken);

    public Task FailAsync(Guid tenantId, Guid importId, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(FailRunSql, new { Id = importId, Error = error, Now = timeProvider.GetUtcNow() })), cancellationToken);

    private Task<RunRow?> FindAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.QuerySingleOrDefaultAsync<RunRow>(scope.Command(RunSql, new { Id = importId })), cancellationToken);

    private static string ChunkBlob(string fileBlob, int index) => $"{fileBlob}.chunks/{index:D5}.json";

    private static (string? First, string? Last) SplitName(ImportedLead lead)
    {
        if (lead.FirstName is not null || lead.LastName is not null || lead.FullName is null)
        {
            return (lead.FirstName, lead.LastName);
        }

        var parts = lead.FullName.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (parts.ElementAtOrDefault(0), parts.ElementAtOrDefault(1));
    }

    private sealed record UpsertRow
    {
        public Guid Id { get; init; }

        public bool Inserted { get; init; }
    }

    private sealed record RunRow
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
}
