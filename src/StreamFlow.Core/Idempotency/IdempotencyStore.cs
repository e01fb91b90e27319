using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Idempotency;

/// <summary>What to do with a request that carries an Idempotency-Key.</summary>
public abstract record IdempotencyDecision
{
    /// <summary>First time: run it, then <see cref="IdempotencyStore.CompleteAsync"/>.</summary>
    public sealed record Proceed : IdempotencyDecision;

    /// <summary>Seen with the same body: answer what was answered then.</summary>
    public sealed record Replay(int StatusCode, string? ContentType, byte[] Body) : IdempotencyDecision;

    /// <summary>Seen with another body, or still running: 409.</summary>
    public sealed record Conflict(string Detail) : IdempotencyDecision;
}

/// <summary>Idempotency-Key bookkeeping for creating POSTs, in PostgreSQL so that it holds across instances.</summary>
public sealed class IdempotencyStore(StreamFlowDatabase database, TimeProvider timeProvider)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const string ClaimSql = """
        INSERT INTO idempotency_keys (key_hash, request_hash, created_at) VALUES (@Key, @Request, @Now)
        ON CONFLICT (key_hash) DO UPDATE SET request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at,
            status_code = NULL, content_type = NULL, body = NULL, completed_at = NULL
        WHERE idempotency_keys.created_at < @Expired
        RETURNING key_hash
        """;

    private const string ExistingSql = """
        SELECT request_hash AS RequestHash, status_code AS StatusCode, content_type AS ContentType, body AS Body
        FROM idempotency_keys WHERE key_hash = @Key
        """;

    private const string CompleteSql = """
        UPDATE idempotency_keys SET status_code = @Status, content_type = @ContentType, body = @Body, completed_at = @Now WHERE key_hash = @Key
        """;

    private const string ReleaseSql = "DELETE FROM idempotency_keys WHERE key_hash = @Key AND completed_at IS NULL";

    public Task<IdempotencyDecision> ClaimAsync(byte[] key, byte[] requestHash, CancellationToken cancellationToken) =>
        database.InPlatformAsync<IdempotencyDecision>(async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var claimed = await scope.Connection.QuerySingleOrDefaultAsync<byte[]>(scope.Command(ClaimSql, new { Key = key, Request = requestHash, Now = now, Expired = now - Lifetime }));
            if (claimed is not null)
            {
                return new IdempotencyDecision.Proceed();
            }

            var existing = await scope.Connection.QuerySingleAsync<Existing>(scope.Command(ExistingSql, new { Key = key }));
            if (!existing.RequestHash.AsSpan().SequenceEqual(requestHash))
            {
                return new IdempotencyDecision.Conflict("This Idempotency-Key was used with a different request body.");
            }

            return existing.StatusCode is { } status
                ? new IdempotencyDecision.Replay(status, existing.ContentType, existing.Body ?? [])
                : new IdempotencyDecision.Conflict("A request with this Idempotency-Key is still being processed.");
        }, cancellationToken);

    public Task CompleteAsync(byte[] key, int statusCode, string? contentType, byte[] body, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(CompleteSql, new
        {
            Key = key, Status = statusCode, ContentType = contentType, Body = body, Now = timeProvider.GetUtcNow(),
        })), cancellationToken);

    /// <summary>Forgets a claim whose request failed unexpectedly, so that the client can retry with the same key.</summary>
    public Task ReleaseAsync(byte[] key, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(ReleaseSql, new { Key = key })), cancellationToken);

    private sealed record Existing
    {
        public byte[] RequestHash { get; init; } = [];

        public int? StatusCode { get; init; }

        public string? ContentType { get; init; }

        public byte[]? Body { get; init; }
    }
}
