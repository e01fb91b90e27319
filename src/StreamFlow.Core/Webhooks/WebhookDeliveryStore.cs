using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Webhooks;

/// <summary>The SQL of deliveries and their attempt log, as the dispatcher and the attempt step use it. Tenant transactions, except the stalled-delivery scan.</summary>
internal static class WebhookDeliveryStore
{
    private const string ResendSql = """
        INSERT INTO webhook_deliveries (id, tenant_id, message_id, endpoint_id, next_attempt_at, created_at, updated_at)
        VALUES (@DeliveryId, @TenantId, @MessageId, @EndpointId, @Now, @Now, @Now)
        ON CONFLICT (message_id, endpoint_id) DO UPDATE SET
            round = webhook_deliveries.round + 1, status = 'pending', series_attempts = 0, next_attempt_at = @Now, updated_at = @Now
        RETURNING id AS DeliveryId, round AS Round
        """;

    private const string RecoverSql = """
        UPDATE webhook_deliveries SET round = round + 1, status = 'pending', series_attempts = 0, next_attempt_at = @Now, updated_at = @Now
        WHERE endpoint_id = @EndpointId AND status = 'failed' AND COALESCE(last_attempt_at, created_at) >= @Since
        RETURNING id AS DeliveryId, round AS Round
        """;

    private const string InsertDeliverySql = """
        INSERT INTO webhook_deliveries (id, tenant_id, message_id, endpoint_id, next_attempt_at, created_at, updated_at)
        VALUES (@DeliveryId, @TenantId, @MessageId, @EndpointId, @Now, @Now, @Now)
        """;

    private const string FindStalledSql = """
        SELECT stalled_tenant_id AS TenantId, stalled_delivery_id AS DeliveryId FROM webhook_find_stalled_deliveries(@DueBefore, @Limit)
        """;

    // Test events go to their one endpoint; every other event to the enabled endpoints whose filter lets it through.
    private const string CreateDeliveriesSql = """
        INSERT INTO webhook_deliveries (id, tenant_id, message_id, endpoint_id, next_attempt_at, created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id, e.id, @Now, @Now, @Now
        FROM webhook_messages m
        JOIN webhook_endpoints e ON e.tenant_id = m.tenant_id
        WHERE m.id = ANY(@MessageIds)
          AND m.dispatched_at IS NULL
          AND e.enabled
          AND (m.target_endpoint_id = e.id
               OR (m.target_endpoint_id IS NULL AND (cardinality(e.event_types) = 0 OR m.event_type = ANY(e.event_types))))
        ON CONFLICT (message_id, endpoint_id) DO NOTHING
        """;

    private const string PendingOfMessagesSql = """
        SELECT id AS DeliveryId, round AS Round FROM webhook_deliveries WHERE message_id = ANY(@MessageIds) AND status = 'pending'
        """;

    private const string PendingRoundsSql = """
        SELECT id AS DeliveryId, round AS Round FROM webhook_deliveries WHERE id = ANY(@DeliveryIds) AND status = 'pending'
        """;

    private const string RestartStalledSql = """
        UPDATE webhook_deliveries SET round = round + 1, next_attempt_at = @Now, updated_at = @Now
        WHERE id = ANY(@DeliveryIds) AND status = 'pending' AND next_attempt_at < @DueBefore
        RETURNING id AS DeliveryId, round AS Round
        """;

    private const string LoadForAttemptSql = """
        SELECT d.status AS Status, d.round AS Round, d.next_attempt_at AS NextAttemptAt, d.last_status_code AS LastStatusCode,
               d.last_error AS LastError, d.message_id AS MessageId, d.endpoint_id AS EndpointId,
               EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_id = d.id AND a.round = @Round AND a.round_attempt = @RoundAttempt) AS AlreadyRecorded,
               m.event_type AS EventType, m.occurred_at AS OccurredAt, m.payload::text AS PayloadJson,
               e.url AS Url, e.enabled AS EndpointEnabled, e.custom_headers::text AS HeadersJson,
               e.rate_limit_per_second AS RateLimitPerSecond, e.secret_ciphertext AS SecretCiphertext,
               e.previous_secret_ciphertext AS PreviousSecretCiphertext, e.previous_secret_expires_at AS PreviousSecretExpiresAt,
               e.failing_since AS FailingSince,
               s.retry_delays_seconds AS RetryDelaysSeconds, s.max_attempts AS MaxAttempts
        FROM webhook_deliveries d
        JOIN webhook_messages m ON m.id = d.message_id
        JOIN webhook_endpoints e ON e.id = d.endpoint_id
        LEFT JOIN webhook_settings s ON s.tenant_id = d.tenant_id
        WHERE d.id = @DeliveryId
        """;

    // A fixed one-second window per endpoint, counted in the database so that every instance shares it.
    private const string TakeRateSlotSql = """
        UPDATE webhook_endpoints SET
            rate_window_count = CASE WHEN rate_window_started_at IS NULL OR rate_window_started_at <= @Now - interval '1 second'
                                     THEN 1 ELSE rate_window_count + 1 END,
            rate_window_started_at = CASE WHEN rate_window_started_at IS NULL OR rate_window_started_at <= @Now - interval '1 second'
                                          THEN @Now ELSE rate_window_started_at END
        WHERE id = @EndpointId
        RETURNING rate_window_started_at AS WindowStartedAt, rate_window_count AS Count
        """;

    private const string FailPendingSql = """
        UPDATE webhook_deliveries
        SET status = 'failed', next_attempt_at = NULL, last_error = @Error, updated_at = @Now
        WHERE id = @DeliveryId AND round = @Round AND status = 'pending'
        """;

    private const string LockForRecordSql = """
        SELECT d.status AS Status, d.round AS Round, d.attempts AS Attempts, d.series_attempts AS SeriesAttempts,
               d.next_attempt_at AS NextAttemptAt, d.last_status_code AS LastStatusCode, d.last_error AS LastError,
               EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_id = d.id AND a.round = @Round AND a.round_attempt = @RoundAttempt) AS AlreadyRecorded
        FROM webhook_deliveries d
        WHERE d.id = @DeliveryId
        FOR UPDATE OF d
        """;

    private const string InsertAttemptSql = """
        INSERT INTO webhook_attempts
            (id, tenant_id, delivery_id, attempt_number, round, round_attempt, message_id, endpoint_id, attempted_at,
             succeeded, status_code, duration_ms, response_body, error)
        VALUES
            (@Id, @TenantId, @DeliveryId, @AttemptNumber, @Round, @RoundAttempt, @MessageId, @EndpointId, @AttemptedAt,
             @Succeeded, @StatusCode, @DurationMs, @ResponseBody, @Error)
        """;

    private const string UpdateAfterAttemptSql = """
        UPDATE webhook_deliveries SET
            attempts = @AttemptNumber,
            series_attempts = series_attempts + 1,
            status = @Status,
            next_attempt_at = @NextAttemptAt,
            last_attempt_at = @AttemptedAt,
            last_status_code = @StatusCode,
            last_error = @Error,
            updated_at = @Now
        WHERE id = @DeliveryId
        """;

    private const string CountSupersededAttemptSql = "UPDATE webhook_deliveries SET attempts = @AttemptNumber, updated_at = @Now WHERE id = @DeliveryId";

    private const string EndpointSucceededSql = "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = @EndpointId AND failing_since IS NOT NULL";

    private const string EndpointFailedSql = "UPDATE webhook_endpoints SET failing_since = @At WHERE id = @EndpointId AND failing_since IS NULL";

    private const string DisableEndpointSql = """
        UPDATE webhook_endpoints
        SET enabled = false, disabled_reason = @Reason, disabled_at = @Now, updated_at = @Now
        WHERE id = @EndpointId AND enabled
        RETURNING failing_since
        """;

    public static Task<AttemptRow?> LoadForAttemptAsync(DbTransactionScope scope, WebhookAttemptRequest request) =>
        scope.Connection.QuerySingleOrDefaultAsync<AttemptRow>(scope.Command(LoadForAttemptSql, new
        {
            request.DeliveryId,
            request.Round,
            request.RoundAttempt,
        }));

    public static Task<RateSlot> TakeRateSlotAsync(DbTransactionScope scope, Guid endpointId, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<RateSlot>(scope.Command(TakeRateSlotSql, new { EndpointId = endpointId, Now = now }));

    public static Task FailPendingAsync(DbTransactionScope scope, Guid deliveryId, int round, string error, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(FailPendingSql, new { DeliveryId = deliveryId, Round = round, Error = error, Now = now }));

    public static Task<RecordRow?> LockForRecordAsync(DbTransactionScope scope, WebhookAttemptRequest request) =>
        scope.Connection.QuerySingleOrDefaultAsync<RecordRow>(scope.Command(LockForRecordSql, new
        {
            request.DeliveryId,
            request.Round,
            request.RoundAttempt,
        }));

    public static Task InsertAttemptAsync(DbTransactionScope scope, AttemptLogEntry entry) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertAttemptSql, entry));

    public static Task UpdateAfterAttemptAsync(
        DbTransactionScope scope, Guid deliveryId, int attemptNumber, string status, DateTimeOffset? nextAttemptAt,
        DateTimeOffset attemptedAt, int? statusCode, string? error, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateAfterAttemptSql, new
        {
            DeliveryId = deliveryId,
            AttemptNumber = attemptNumber,
            Status = status,
            NextAttemptAt = nextAttemptAt,
            AttemptedAt = attemptedAt,
            StatusCode = statusCode,
            Error = error,
            Now = now,
        }));

    public static Task CountSupersededAttemptAsync(DbTransactionScope scope, Guid deliveryId, int attemptNumber, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(CountSupersededAttemptSql, new { DeliveryId = deliveryId, AttemptNumber = attemptNumber, Now = now }));

    public static Task MarkEndpointSucceededAsync(DbTransactionScope scope, Guid endpointId) =>
        scope.Connection.ExecuteAsync(scope.Command(EndpointSucceededSql, new { EndpointId = endpointId }));

    public static Task MarkEndpointFailingAsync(DbTransactionScope scope, Guid endpointId, DateTimeOffset at) =>
        scope.Connection.ExecuteAsync(scope.Command(EndpointFailedSql, new { EndpointId = endpointId, At = at }));

    /// <summary>Disables an enabled endpoint; false when it was already disabled (someone else got there first).</summary>
    public static async Task<bool> DisableEndpointAsync(DbTransactionScope scope, Guid endpointId, string reason, DateTimeOffset now) =>
        (await scope.Connection.QueryAsync<DateTime?>(scope.Command(DisableEndpointSql, new { EndpointId = endpointId, Reason = reason, Now = now }))).Any();

    internal sealed class AttemptRow
    {
        public string Status { get; set; } = "";

        public int Round { get; set; }

        public DateTime? NextAttemptAt { get; set; }

        public int? LastStatusCode { get; set; }

        public string? LastError { get; set; }

        public string MessageId { get; set; } = "";

        public Guid EndpointId { get; set; }

        public bool AlreadyRecorded { get; set; }

        public string EventType { get; set; } = "";

        public DateTime OccurredAt { get; set; }

        public string PayloadJson { get; set; } = "{}";

        public string Url { get; set; } = "";

        public bool EndpointEnabled { get; set; }

        public string HeadersJson { get; set; } = "{}";

        public int? RateLimitPerSecond { get; set; }

        public byte[] SecretCiphertext { get; set; } = [];

        public byte[]? PreviousSecretCiphertext { get; set; }

        public DateTime? PreviousSecretExpiresAt { get; set; }

        public DateTime? FailingSince { get; set; }

        public int[]? RetryDelaysSeconds { get; set; }

        public int? MaxAttempts { get; set; }
    }

    internal sealed class RecordRow
    {
        public string Status { get; set; } = "";

        public int Round { get; set; }

        public int Attempts { get; set; }

        public int SeriesAttempts { get; set; }

        public DateTime? NextAttemptAt { get; set; }

        public int? LastStatusCode { get; set; }

        public string? LastError { get; set; }

        public bool AlreadyRecorded { get; set; }
    }

    internal sealed class RateSlot
    {
        public DateTime WindowStartedAt { get; set; }

        public int Count { get; set; }
    }

    internal sealed record AttemptLogEntry(
        Guid Id,
        Guid TenantId,
        Guid DeliveryId,
        int AttemptNumber,
        int Round,
        int RoundAttempt,
        string MessageId,
        Guid EndpointId,
        DateTimeOffset AttemptedAt,
        bool Succeeded,
        int? StatusCode,
        int DurationMs,
        string? ResponseBody,
        string? Error);

    /// <summary>Across tenants (SECURITY DEFINER): pending deliveries whose attempt was due before <paramref name="dueBefore"/>.</summary>
    public static async Task<IReadOnlyList<(Guid TenantId, Guid DeliveryId)>> FindStalledAsync(DbTransactionScope scope, DateTimeOffset dueBefore, int limit) =>
        (await scope.Connection.QueryAsync<(Guid TenantId, Guid DeliveryId)>(scope.Command(FindStalledSql, new { DueBefore = dueBefore, Limit = limit }))).AsList();

    public static Task<int> CreateForMessagesAsync(DbTransactionScope scope, string[] messageIds, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(CreateDeliveriesSql, new { MessageIds = messageIds, Now = now }));

    public static Task<IEnumerable<(Guid DeliveryId, int Round)>> PendingOfMessagesAsync(DbTransactionScope scope, string[] messageIds) =>
        scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(PendingOfMessagesSql, new { MessageIds = messageIds }));

    /// <summary>The current round of each of the deliveries still pending (the others are left out).</summary>
    public static Task<IEnumerable<(Guid DeliveryId, int Round)>> PendingRoundsAsync(DbTransactionScope scope, Guid[] deliveryIds) =>
        scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(PendingRoundsSql, new { DeliveryIds = deliveryIds }));

    /// <summary>Starts a new round of each delivery still stalled; returns the ones restarted.</summary>
    public static Task<IEnumerable<(Guid DeliveryId, int Round)>> RestartStalledAsync(DbTransactionScope scope, Guid[] deliveryIds, DateTimeOffset now, DateTimeOffset dueBefore) =>
        scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(RestartStalledSql, new { DeliveryIds = deliveryIds, Now = now, DueBefore = dueBefore }));

    /// <summary>A new delivery of the message to the endpoint, or a new round of the existing one.</summary>
    public static Task<(Guid DeliveryId, int Round)> ResendAsync(DbTransactionScope scope, Guid deliveryId, Guid tenantId, string messageId, Guid endpointId, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<(Guid, int)>(scope.Command(ResendSql, new
        {
            DeliveryId = deliveryId, TenantId = tenantId, MessageId = messageId, EndpointId = endpointId, Now = now,
        }));

    /// <summary>A new round of each delivery to the endpoint that failed at or after <paramref name="since"/>.</summary>
    public static Task<IEnumerable<(Guid DeliveryId, int Round)>> RecoverFailedAsync(DbTransactionScope scope, Guid endpointId, DateTimeOffset since, DateTimeOffset now) =>
        scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(RecoverSql, new { EndpointId = endpointId, Since = since, Now = now }));

    public static Task<int> InsertAsync(DbTransactionScope scope, Guid deliveryId, Guid tenantId, string messageId, Guid endpointId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertDeliverySql, new
        {
            DeliveryId = deliveryId, TenantId = tenantId, MessageId = messageId, EndpointId = endpointId, Now = now,
        }));
}
