using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Scoring.Model;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Scoring;

/// <summary>A training run as the API shows it.</summary>
public sealed record ModelTrainingRun(
    Guid Id,
    int? Version,
    string Status,
    string? Reason,
    int? Samples,
    double? Auc,
    DateTimeOffset RequestedAt,
    DateTimeOffset? TrainedAt,
    JsonElement? Report);

/// <summary>
/// Trained models: bytes in Blob storage (container <c>models</c>), one row per training run in PostgreSQL, the
/// serving version marked. Loaded models are cached per tenant and version: they never change once written.
/// </summary>
public sealed class ModelRegistry(StreamFlowDatabase database, BlobServiceClient blobs)
{
    private readonly ConcurrentDictionary<(Guid Tenant, int Version), ConversionModel> _loaded = new();

    private const string Columns = """
        id AS Id, version AS Version, status AS Status, reason AS Reason, samples AS Samples, auc AS Auc,
        requested_at AS RequestedAt, trained_at AS TrainedAt, report::text AS Report
        """;

    private const string ServingSql = "SELECT version AS Version, blob_name AS BlobName FROM scoring_models WHERE status = 'serving'";

    private const string LatestSql = $"SELECT {Columns} FROM scoring_models ORDER BY requested_at DESC LIMIT 1";

    private const string ServingRunSql = $"SELECT {Columns} FROM scoring_models WHERE status = 'serving'";

    private const string ByIdSql = $"SELECT {Columns} FROM scoring_models WHERE id = @Id";

    private const string StartRunSql = "INSERT INTO scoring_models (id, tenant_id, status, requested_at) VALUES (@Id, @TenantId, 'training', @Now)";

    private const string NextVersionSql = "SELECT COALESCE(max(version), 0) + 1 FROM scoring_models";

    private const string FinishRunSql = """
        UPDATE scoring_models SET status = @Status, reason = @Reason, samples = @Samples, auc = @Auc, report = @Report::jsonb,
            version = @Version, blob_name = @BlobName, trained_at = @TrainedAt
        WHERE id = @Id
        """;

    private const string RetireSql = "UPDATE scoring_models SET status = 'retired' WHERE status = 'serving'";

    public async Task<ConversionModel?> ServingAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var serving = await database.InTenantAsync(tenantId,
            scope => scope.Connection.QuerySingleOrDefaultAsync<ServingRow>(scope.Command(ServingSql)), cancellationToken);
        if (serving is null)
        {
            return null;
        }

        if (_loaded.TryGetValue((tenantId, serving.Version), out var cached))
        {
            return cached;
        }

        var content = await blobs.GetBlobContainerClient(BlobContainerNames.Models).GetBlobClient(serving.BlobName).DownloadContentAsync(cancellationToken);
        var loaded = ConversionModel.Load(content.Value.Content.ToArray());
        if (!loaded.Succeeded)
        {
            return null;
        }

        return _loaded.GetOrAdd((tenantId, serving.Version), loaded.Value);
    }

    public Task<ModelTrainingRun?> LatestRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await scope.Connection.QuerySingleOrDefaultAsync<RunRow>(scope.Command(LatestSql))), cancellationToken);

    public Task<ModelTrainingRun?> ServingRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await scope.Connection.QuerySingleOrDefaultAsync<RunRow>(scope.Command(ServingRunSql))), cancellationToken);

    public Task<ModelTrainingRun?> RunAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await scope.Connection.QuerySingleOrDefaultAsync<RunRow>(scope.Command(ByIdSql, new { Id = runId }))), cancellationToken);

    public Task StartRunAsync(Guid tenantId, Guid runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(StartRunSql, new { Id = runId, TenantId = tenantId, Now = now })), cancellationToken);

    /// <summary>Records a run that produced no model (too few outcomes, or training failed).</summary>
    public Task FinishWithoutModelAsync(Guid tenantId, Guid runId, string status, string reason, int samples, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(FinishRunSql, new
        {
            Id = runId, Status = status, Reason = reason, Samples = samples, Auc = (double?)null, Report = (string?)null,
            Version = (int?)null, BlobName = (string?)null, TrainedAt = (DateTimeOffset?)null,
        })), cancellationToken);

    /// <summary>Stores the model's bytes, numbers it, and either makes it the serving model or records why not.</summary>
    public Task<int> NextVersionAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteScalarAsync<int>(scope.Command(NextVersionSql)), cancellationToken);

    public async Task SaveAsync(Guid tenantId, Guid runId, int version, ConversionModel model, bool promote, string reason, CancellationToken cancellationToken)
    {
        await database.InTenantAsync(tenantId, async scope =>
        {
            var blobName = $"{tenantId}/conversion-v{version}.json.gz";
            await blobs.GetBlobContainerClient(BlobContainerNames.Models).GetBlobClient(blobName)
                .UploadAsync(BinaryData.FromBytes(model.Serialize()), overwrite: true, cancellationToken);
            if (promote)
            {
                await scope.Connection.ExecuteAsync(scope.Command(RetireSql));
            }

            await scope.Connection.ExecuteAsync(scope.Command(FinishRunSql, new
            {
                Id = runId, Status = promote ? "serving" : "rejected", Reason = reason, Samples = model.Report.Samples, Auc = model.Report.Auc,
                Report = JsonSerializer.Serialize(model.Report, StreamFlowJson.Options), Version = version, BlobName = blobName, TrainedAt = model.TrainedAt,
            }));
            return true;
        }, cancellationToken);
    }

    private static ModelTrainingRun? ToRun(RunRow? row) => row is null
        ? null
        : new ModelTrainingRun(row.Id, row.Version, row.Status, row.Reason, row.Samples, row.Auc, row.RequestedAt, row.TrainedAt,
            row.Report is null ? null : JsonDocument.Parse(row.Report).RootElement.Clone());

    private sealed record ServingRow
    {
        public int Version { get; init; }

        public string BlobName { get; init; } = "";
    }

    private sealed record RunRow
    {
        public Guid Id { get; init; }

        public int? Version { get; init; }

        public string Status { get; init; } = "";

        public string? Reason { get; init; }

        public int? Samples { get; init; }

        public double? Auc { get; init; }

        public DateTimeOffset RequestedAt { get; init; }

        public DateTimeOffset? TrainedAt { get; init; }

        public string? Report { get; init; }
    }
}
