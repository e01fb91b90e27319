using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Webhooks;

/// <summary>The SQL of webhook endpoints. Every statement runs in a transaction that has set the tenant.</summary>
internal static class WebhookEndpointStore
{
    private const string EndpointExistsSql = "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = @EndpointId)";

    private const string EndpointEnabledSql = "SELECT enabled FROM webhook_endpoints WHERE id = @EndpointId";

    private const string Columns = """
        id AS Id, url AS Url, description AS Description, event_types AS EventTypes, enabled AS Enabled,
        disabled_reason AS DisabledReason, disabled_at AS DisabledAt, custom_headers::text AS HeadersJson,
        rate_limit_per_second AS RateLimitPerSecond, previous_secret_expires_at AS PreviousSecretExpiresAt,
        failing_since AS FailingSince, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = $"""
        INSERT INTO webhook_endpoints
            (id, tenant_id, url, description, event_types, enabled, disabled_reason, disabled_at, custom_headers,
             rate_limit_per_second, secret_ciphertext, created_at, updated_at)
        VALUES
            (@Id, @TenantId, @Url, @Description, @EventTypes, @Enabled, @DisabledReason, @DisabledAt, @HeadersJson::jsonb,
             @RateLimitPerSecond, @SecretCiphertext, @Now, @Now)
        RETURNING {Columns}
        """;

    private const string CountSql = "SELECT count(*) FROM webhook_endpoints";

    private const string GetSql = $"SELECT {Columns} FROM webhook_endpoints WHERE id = @Id";

    private const string ListSql = $"""
        SELECT {Columns} FROM webhook_endpoints
        WHERE @After::uuid IS NULL OR id > @After::uuid
        ORDER BY id
        LIMIT @Limit
        """;

    // null leaves a column as it is; a rate limit of 0 removes the limit; enabling forgets the failure streak.
    private const string UpdateSql = $"""
        UPDATE webhook_endpoints SET
            url = COALESCE(@Url::text, url),
            description = COALESCE(@Description::text, description),
            event_types = COALESCE(@EventTypes::text[], event_types),
            custom_headers = COALESCE(@HeadersJson::jsonb, custom_headers),
            rate_limit_per_second = CASE
                WHEN @RateLimitPerSecond::integer IS NULL THEN rate_limit_per_second
                WHEN @RateLimitPerSecond::integer = 0 THEN NULL
                ELSE @RateLimitPerSecond::integer END,
            disabled_reason = CASE
                WHEN @Enabled::boolean IS NULL THEN disabled_reason
                WHEN @Enabled::boolean THEN NULL
                WHEN enabled THEN 'manual'
                ELSE disabled_reason END,
            disabled_at = CASE
                WHEN @Enabled::boolean IS NULL THEN disabled_at
                WHEN @Enabled::boolean THEN NULL
                WHEN enabled THEN @Now
                ELSE disabled_at END,
            failing_since = CASE WHEN @Enabled::boolean AND NOT enabled THEN NULL ELSE failing_since END,
            enabled = COALESCE(@Enabled::boolean, enabled),
            updated_at = @Now
        WHERE id = @Id
        RETURNING {Columns}
        """;

    private const string DeleteSql = "DELETE FROM webhook_endpoints WHERE id = @Id";

    private const string RotateSql = """
        UPDATE webhook_endpoints SET
            previous_secret_ciphertext = CASE WHEN @PreviousExpiresAt::timestamptz IS NULL THEN NULL ELSE secret_ciphertext END,
            previous_secret_expires_at = @PreviousExpiresAt::timestamptz,
            secret_ciphertext = @SecretCiphertext,
            updated_at = @Now
        WHERE id = @Id
        """;

    public static async Task<WebhookEndpoint> InsertAsync(
        DbTransactionScope scope, Guid tenantId, Guid id, CreateWebhookEndpoint request, byte[] secretCiphertext, DateTimeOffset now)
    {
        var enabled = request.Enabled ?? true;
        var row = await scope.Connection.QuerySingleAsync<EndpointRow>(scope.Command(InsertSql, new
        {
            Id = id,
            TenantId = tenantId,
            Url = request.Url!.Trim(),
            Description = request.Description?.Trim() ?? "",
            EventTypes = WebhookEndpointValidation.NormalizeEventTypes(request.EventTypes).ToArray(),
            Enabled = enabled,
            DisabledReason = enabled ? null : "manual",
            DisabledAt = enabled ? (DateTimeOffset?)null : now,
            HeadersJson = SerializeHeaders(request.Headers),
            request.RateLimitPerSecond,
            SecretCiphertext = secretCiphertext,
            Now = now,
        }));
        return row.ToEndpoint();
    }

    public static Task<long> CountAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<long>(scope.Command(CountSql));

    public static async Task<WebhookEndpoint?> GetAsync(DbTransactionScope scope, Guid id) =>
        (await scope.Connection.QuerySingleOrDefaultAsync<EndpointRow>(scope.Command(GetSql, new { Id = id })))?.ToEndpoint();

    public static async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<EndpointRow>(scope.Command(ListSql, new { After = after, Limit = limit })))
            .Select(row => row.ToEndpoint()).ToList();

    public static async Task<WebhookEndpoint?> UpdateAsync(DbTransactionScope scope, Guid id, UpdateWebhookEndpoint request, DateTimeOffset now)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<EndpointRow>(scope.Command(UpdateSql, new
        {
            Id = id,
            Url = request.Url?.Trim(),
            Description = request.Description?.Trim(),
            EventTypes = request.EventTypes is null ? null : WebhookEndpointValidation.NormalizeEventTypes(request.EventTypes).ToArray(),
            HeadersJson = request.Headers is null ? null : SerializeHeaders(request.Headers),
            request.RateLimitPerSecond,
            request.Enabled,
            Now = now,
        }));
        return row?.ToEndpoint();
    }

    public static async Task<bool> DeleteAsync(DbTransactionScope scope, Guid id) =>
        await scope.Connection.ExecuteAsync(scope.Command(DeleteSql, new { Id = id })) == 1;

    public static async Task<bool> RotateAsync(DbTransactionScope scope, Guid id, byte[] secretCiphertext, DateTimeOffset? previousExpiresAt, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(RotateSql, new
        {
            Id = id,
            SecretCiphertext = secretCiphertext,
            PreviousExpiresAt = previousExpiresAt,
            Now = now,
        })) == 1;

    public static string SerializeHeaders(IReadOnlyDictionary<string, string>? headers) =>
        JsonSerializer.Serialize(headers ?? new Dictionary<string, string>(), StreamFlowJson.Options);

    public static IReadOnlyDictionary<string, string> DeserializeHeaders(string? json) =>
        string.IsNullOrEmpty(json)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(json, StreamFlowJson.Options) ?? new Dictionary<string, string>();

    public static WebhookDisabledReason? ParseDisabledReason(string? reason) => reason switch
    {
        "manual" => WebhookDisabledReason.Manual,
        "gone" => WebhookDisabledReason.Gone,
        "failing" => WebhookDisabledReason.Failing,
        _ => null,
    };

    public static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed class EndpointRow
    {
        public Guid Id { get; set; }

        public string Url { get; set; } = "";

        public string Description { get; set; } = "";

        public string[] EventTypes { get; set; } = [];

        public bool Enabled { get; set; }

        public string? DisabledReason { get; set; }

        public DateTime? DisabledAt { get; set; }

        public string HeadersJson { get; set; } = "{}";

        public int? RateLimitPerSecond { get; set; }

        public DateTime? PreviousSecretExpiresAt { get; set; }

        public DateTime? FailingSince { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public WebhookEndpoint ToEndpoint() => new(
            Id, Url, Description, EventTypes, Enabled, ParseDisabledReason(DisabledReason), Utc(DisabledAt),
            DeserializeHeaders(HeadersJson), RateLimitPerSecond, Utc(PreviousSecretExpiresAt), Utc(FailingSince),
            Utc(CreatedAt), Utc(UpdatedAt));
    }

    /// <summary>Whether the endpoint is enabled; null when it does not exist.</summary>
    public static Task<bool?> IsEnabledAsync(DbTransactionScope scope, Guid endpointId) =>
        scope.Connection.QuerySingleOrDefaultAsync<bool?>(scope.Command(EndpointEnabledSql, new { EndpointId = endpointId }));

    public static Task<bool> ExistsAsync(DbTransactionScope scope, Guid endpointId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(EndpointExistsSql, new { EndpointId = endpointId }));
}
