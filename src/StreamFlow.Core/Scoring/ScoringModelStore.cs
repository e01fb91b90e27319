using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Scoring;

/// <summary>The SQL of scoring models (one row per training run, the serving one marked); runs in the caller's tenant transaction.</summary>
internal static class ScoringModelStore
{
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

    public static Task<ServingModelRow?> ServingAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<ServingModelRow>(scope.Command(ServingSql));

    public static Task<ScoringModelRow?> LatestRunAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<ScoringModelRow>(scope.Command(LatestSql));

    public static Task<ScoringModelRow?> ServingRunAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<ScoringModelRow>(scope.Command(ServingRunSql));

    public static Task<ScoringModelRow?> RunAsync(DbTransactionScope scope, Guid runId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ScoringModelRow>(scope.Command(ByIdSql, new { Id = runId }));

    public static Task<int> StartRunAsync(DbTransactionScope scope, Guid runId, Guid tenantId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(StartRunSql, new { Id = runId, TenantId = tenantId, Now = now }));

    public static Task<int> NextVersionAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(NextVersionSql));

    public static Task<int> RetireServingAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteAsync(scope.Command(RetireSql));

    public static Task<int> FinishRunAsync(DbTransactionScope scope, FinishedRun run) =>
        scope.Connection.ExecuteAsync(scope.Command(FinishRunSql, run));
}

/// <summary>How a training run ended: a model (version, blob, report) or only a reason.</summary>
internal sealed record FinishedRun(
    Guid Id, string Status, string Reason, int Samples, double? Auc, string? Report, int? Version, string? BlobName, DateTimeOffset? TrainedAt);

internal sealed record ServingModelRow
{
    public int Version { get; init; }

    public string BlobName { get; init; } = "";
}

internal sealed record ScoringModelRow
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
