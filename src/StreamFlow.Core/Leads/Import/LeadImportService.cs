using System.Text.Json;
using Azure.Storage.Blobs;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Privacy;
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
    Privacy.TenantKeyring keyring,
    BlobServiceClient blobs,
    LeadCsvReader reader,
    PipelineService pipeline,
    IImportedLeadScorer scoring,
    WorkOutbox outbox,
    ILeadAttributeRules attributeRules,
    TimeProvider timeProvider)
{
    public const int ChunkSize = 500;
    private const int MaxStoredErrors = 1000;

    /// <summary>
    /// Keeps the file and records the import as pending together with its durable run (work outbox): the caller answers
    /// 202 after the commit, and the import starts when the outbox dispatcher picks it up.
    /// </summary>
    public async Task<Result<Guid>> StartAsync(Guid tenantId, string actor, Stream csv, string? externalIdColumn, string? outcomeColumn, CancellationToken cancellationToken)
    {
        var importId = Guid.CreateVersion7();
        var blobName = $"imports/{tenantId}/{importId}.csv";
        var blob = blobs.GetBlobContainerClient(BlobContainerNames.Documents).GetBlobClient(blobName);
        await blob.UploadAsync(csv, overwrite: true, cancellationToken);
        await database.InTenantAsync(tenantId, async scope =>
        {
            await LeadImportStore.InsertRunAsync(scope, importId, tenantId, blobName, externalIdColumn, outcomeColumn, actor, timeProvider.GetUtcNow());
            await outbox.AddAsync(scope, tenantId, WorkKinds.LeadImport, importId);
            return true;
        }, cancellationToken);
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
            await database.InTenantAsync(tenantId, scope => LeadImportStore.FailAsync(scope, importId, parsed.Problem.Detail, timeProvider.GetUtcNow()), cancellationToken);
            return 0;
        }

        var chunks = parsed.Value.Chunks(ChunkSize).ToList();
        foreach (var chunk in chunks)
        {
            await container.GetBlobClient(ChunkBlob(run.BlobName, chunk.Index))
                .UploadAsync(BinaryData.FromObjectAsJson(chunk.Leads, StreamFlowJson.Options), overwrite: true, cancellationToken);
        }

        await database.InTenantAsync(tenantId, scope => LeadImportStore.MarkParsedAsync(
            scope, importId, parsed.Value.TotalRows, parsed.Value.Errors.Count,
            JsonSerializer.Serialize(parsed.Value.Errors.Take(MaxStoredErrors), StreamFlowJson.Options)), cancellationToken);
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
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var checkAttributes = await attributeRules.RulesAsync(scope);
            foreach (var lead in leads)
            {
                // The business's custom fields: a row with a value of the wrong type is reported and skipped, the others go in.
                if (checkAttributes is not null && AttributeErrors(checkAttributes, lead) is { } invalid)
                {
                    errors.Add(new ImportRowError(lead.Row, invalid));
                    continue;
                }

                await scope.Transaction.SaveAsync("row", cancellationToken);
                try
                {
                    var outcome = lead.Outcome switch { ImportedOutcome.Won => "won", ImportedOutcome.Lost => "lost", _ => null };
                    var (first, last) = SplitName(lead);
                    var id = (lead.ExternalId is { } externalId ? await LeadImportStore.IdByExternalIdAsync(scope, externalId) : null) ?? Guid.CreateVersion7();
                    var personal = LeadStore.Seal(keys, id, lead.Email, lead.Phone, lead.Notes, new LeadAddress(lead.PostalCode, lead.State, lead.City, lead.Country));
                    var row = await LeadImportStore.UpsertLeadAsync(scope, new ImportedLeadRow(
                        id, tenantId, first, last, lead.Company,
                        personal.EmailSealed, personal.PhoneSealed, personal.EmailIndex, personal.PhoneIndex, personal.KeyVersion, lead.Source,
                        lead.ExternalId, personal.PostalCodeSealed, personal.StateSealed, personal.CitySealed, personal.CountrySealed,
                        personal.StateIndex, personal.PostalAreaIndex, personal.NotesSealed, personal.NotesTerms,
                        JsonSerializer.Serialize(StoredAttributes.ToJson(lead.Attributes), StreamFlowJson.Options),
                        outcome switch { "won" => wonStage, "lost" => lostStage, _ => openStage }, outcome, now));
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

            await LeadImportStore.RecordChunkAsync(
                scope, importId, ids.Count, errors.Count, created, updated, MaxStoredErrors, JsonSerializer.Serialize(errors, StreamFlowJson.Options));
            return true;
        }, cancellationToken);

        await scoring.ScoreImportedAsync(tenantId, ids, cancellationToken);
        return new ImportChunkResult(ids.Count, errors.Count, ids);
    }

    public Task CompleteAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => LeadImportStore.CompleteAsync(scope, importId, timeProvider.GetUtcNow()), cancellationToken);

    public Task FailAsync(Guid tenantId, Guid importId, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => LeadImportStore.FailAsync(scope, importId, error, timeProvider.GetUtcNow()), cancellationToken);

    private Task<LeadImportRow?> FindAsync(Guid tenantId, Guid importId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => LeadImportStore.FindRunAsync(scope, importId), cancellationToken);

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

    private static string? AttributeErrors(LeadAttributeCheck check, ImportedLead lead)
    {
        var attributes = JsonSerializer.SerializeToElement(StoredAttributes.ToJson(lead.Attributes), StreamFlowJson.Options)
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        var errors = new ValidationErrors();
        check(attributes, complete: true, errors);
        return errors.ToProblem()?.Errors is { } invalid ? string.Join("; ", invalid.Select(e => $"{e.Key} {string.Join(" ", e.Value)}")) : null;
    }
}
