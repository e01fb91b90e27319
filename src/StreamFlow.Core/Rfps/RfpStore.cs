using System.Globalization;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Rfps;

/// <summary>The SQL of the rfps table; every statement runs in the tenant's transaction.</summary>
internal static class RfpStore
{
    private const string InsertSql = """
        INSERT INTO rfps (id, tenant_id, file_name, content_type, size_bytes, sha256, blob_name, status, progress, uploaded_by, created_at, updated_at)
        VALUES (@Id, @TenantId, @FileName, @ContentType, @SizeBytes, @Sha256, @BlobName, 'pending', '{"step":"queued"}'::jsonb, @UploadedBy, @Now, @Now)
        """;

    private const string FindSql = """
        SELECT id AS Id, file_name AS FileName, content_type AS ContentType, size_bytes AS SizeBytes, status AS Status, progress::text AS Progress,
               analysis::text AS Analysis, error AS Error, blob_name AS BlobName, created_at AS CreatedAt, completed_at AS CompletedAt
        FROM rfps WHERE id = @Id
        """;

    private const string ListSql = """
        SELECT id AS Id, file_name AS FileName, content_type AS ContentType, status AS Status,
               analysis #>> '{facts,title,value}' AS Title,
               analysis #>> '{facts,solicitationNumber,value}' AS SolicitationNumber,
               analysis #>> '{facts,agency,value}' AS Agency,
               analysis #>> '{facts,responseDue,value,date}' AS ResponseDueDate,
               analysis #>> '{assessment,recommendation,decision}' AS Decision,
               created_at AS CreatedAt, completed_at AS CompletedAt
        FROM rfps WHERE (@After::uuid IS NULL OR id < @After) ORDER BY id DESC LIMIT @Limit
        """;

    private const string ProgressSql = """
        UPDATE rfps SET status = 'running', progress = @Progress::jsonb, updated_at = @Now WHERE id = @Id AND status IN ('pending', 'running')
        """;

    private const string FactsSql = """
        UPDATE rfps SET status = 'running', progress = @Progress::jsonb, analysis = @Analysis::jsonb, updated_at = @Now
        WHERE id = @Id AND status IN ('pending', 'running')
        """;

    private const string CompleteSql = """
        UPDATE rfps SET status = 'completed', progress = '{"step":"done"}'::jsonb, analysis = @Analysis::jsonb, updated_at = @Now, completed_at = @Now
        WHERE id = @Id AND status IN ('pending', 'running')
        """;

    private const string FailSql = """
        UPDATE rfps SET status = 'failed', progress = jsonb_set(progress, '{step}', '"failed"'), error = @Error, updated_at = @Now, completed_at = @Now
        WHERE id = @Id AND status IN ('pending', 'running')
        """;

    public static Task<int> InsertAsync(DbTransactionScope scope, NewRfp rfp, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            rfp.Id, rfp.TenantId, rfp.FileName, rfp.ContentType, rfp.SizeBytes, rfp.Sha256, rfp.BlobName, rfp.UploadedBy, Now = now,
        }));

    public static Task<RfpRow?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<RfpRow>(scope.Command(FindSql, new { Id = id }));

    public static async Task<IReadOnlyList<RfpListItem>> ListAsync(DbTransactionScope scope, Guid? after, int limit) =>
        [.. (await scope.Connection.QueryAsync<RfpListRow>(scope.Command(ListSql, new { After = after, Limit = limit }))).Select(row => row.ToItem())];

    public static Task<int> ProgressAsync(DbTransactionScope scope, Guid id, RfpProgress progress, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(ProgressSql, new { Id = id, Progress = Json(progress), Now = now }));

    public static Task<int> SaveFactsAsync(DbTransactionScope scope, Guid id, RfpProgress progress, RfpAnalysis analysis, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(FactsSql, new { Id = id, Progress = Json(progress), Analysis = Json(analysis), Now = now }));

    public static Task<int> CompleteAsync(DbTransactionScope scope, Guid id, RfpAnalysis analysis, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(CompleteSql, new { Id = id, Analysis = Json(analysis), Now = now }));

    public static Task<int> FailAsync(DbTransactionScope scope, Guid id, string error, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(FailSql, new { Id = id, Error = error, Now = now }));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, StreamFlowJson.Options);

    internal sealed record NewRfp(Guid Id, Guid TenantId, string? FileName, string ContentType, long SizeBytes, byte[] Sha256, string BlobName, string UploadedBy);

    internal sealed record RfpRow
    {
        public Guid Id { get; init; }

        public string? FileName { get; init; }

        public string ContentType { get; init; } = "";

        public long SizeBytes { get; init; }

        public string Status { get; init; } = "";

        public string Progress { get; init; } = "{}";

        public string? Analysis { get; init; }

        public string? Error { get; init; }

        public string BlobName { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset? CompletedAt { get; init; }

        public RfpAnalysis? ReadAnalysis() =>
            Analysis is null ? null : JsonSerializer.Deserialize<RfpAnalysis>(Analysis, StreamFlowJson.Options);

        public RfpView ToView() => new(
            Id, FileName, ContentType, SizeBytes, Status,
            JsonSerializer.Deserialize<RfpProgress>(Progress, StreamFlowJson.Options) ?? new RfpProgress("queued", null),
            Error, CreatedAt, CompletedAt, ReadAnalysis());
    }

    private sealed record RfpListRow
    {
        public Guid Id { get; init; }

        public string? FileName { get; init; }

        public string ContentType { get; init; } = "";

        public string Status { get; init; } = "";

        public string? Title { get; init; }

        public string? SolicitationNumber { get; init; }

        public string? Agency { get; init; }

        public string? ResponseDueDate { get; init; }

        public string? Decision { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset? CompletedAt { get; init; }

        public RfpListItem ToItem() => new(
            Id, FileName, ContentType, Status, Title, SolicitationNumber, Agency,
            DateOnly.TryParseExact(ResponseDueDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) ? due : null,
            Enum.TryParse<RfpDecision>(Decision, ignoreCase: true, out var decision) ? decision : null,
            CreatedAt, CompletedAt);
    }
}
