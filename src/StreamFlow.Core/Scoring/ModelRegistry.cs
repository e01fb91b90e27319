using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Blobs;
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

    public async Task<ConversionModel?> ServingAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var serving = await database.InTenantAsync(tenantId,
            scope => ScoringModelStore.ServingAsync(scope), cancellationToken);
        if (serving is null)
        {
            return null;
        }

        return await LoadAsync(tenantId, serving, cancellationToken);
    }

    /// <summary>The model of a version read from the database: from the cache, or downloaded once and cached.</summary>
    internal async Task<ConversionModel?> LoadAsync(Guid tenantId, ServingModelRow serving, CancellationToken cancellationToken)
    {
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

        // A promoted model replaces its predecessors: keep one version per tenant in memory.
        foreach (var key in _loaded.Keys.Where(k => k.Tenant == tenantId && k.Version != serving.Version))
        {
            _loaded.TryRemove(key, out _);
        }

        return _loaded.GetOrAdd((tenantId, serving.Version), loaded.Value);
    }

    public Task<ModelTrainingRun?> LatestRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await ScoringModelStore.LatestRunAsync(scope)), cancellationToken);

    public Task<ModelTrainingRun?> ServingRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await ScoringModelStore.ServingRunAsync(scope)), cancellationToken);

    public Task<ModelTrainingRun?> RunAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => ToRun(await ScoringModelStore.RunAsync(scope, runId)), cancellationToken);

    /// <summary>Records a run that produced no model (too few outcomes, or training failed).</summary>
    public Task FinishWithoutModelAsync(Guid tenantId, Guid runId, string status, string reason, int samples, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => ScoringModelStore.FinishRunAsync(scope, new FinishedRun(runId, status, reason, samples, null, null, null, null, null)), cancellationToken);

    /// <summary>Stores the model's bytes, numbers it, and either makes it the serving model or records why not.</summary>
    public Task<int> NextVersionAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => ScoringModelStore.NextVersionAsync(scope), cancellationToken);

    public async Task SaveAsync(Guid tenantId, Guid runId, int version, ConversionModel model, bool promote, string reason, CancellationToken cancellationToken)
    {
        await database.InTenantAsync(tenantId, async scope =>
        {
            var blobName = $"{tenantId}/conversion-v{version}.json.gz";
            await blobs.GetBlobContainerClient(BlobContainerNames.Models).GetBlobClient(blobName)
                .UploadAsync(BinaryData.FromBytes(model.Serialize()), overwrite: true, cancellationToken);
            if (promote)
            {
                await ScoringModelStore.RetireServingAsync(scope);
            }

            await ScoringModelStore.FinishRunAsync(scope, new FinishedRun(
                runId, promote ? "serving" : "rejected", reason, model.Report.Samples, model.Report.Auc,
                JsonSerializer.Serialize(model.Report, StreamFlowJson.Options), version, blobName, model.TrainedAt));
            return true;
        }, cancellationToken);
    }

    private static ModelTrainingRun? ToRun(ScoringModelRow? row) => row is null
        ? null
        : new ModelTrainingRun(row.Id, row.Version, row.Status, row.Reason, row.Samples, row.Auc, row.RequestedAt, row.TrainedAt,
            row.Report is null ? null : JsonDocument.Parse(row.Report).RootElement.Clone());
}
