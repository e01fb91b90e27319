using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Dapper;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Billing.Metering;

/// <summary>What one collection recorded (new events only: repeated keys are not counted).</summary>
public sealed record CollectedUsage(Guid TenantId, DateOnly From, DateOnly To, int EventsRecorded);

/// <summary>What the daily metering run did across clients.</summary>
public sealed record MeteringRun(DateOnly Day, int Tenants, int EventsRecorded, int MarkupsApplied, int TenantsFailed);

/// <summary>
/// Derives usage events from the systems of record for closed UTC days, with keys that make collecting again
/// harmless: a seat per active user per day (<c>seat:{date}:{userId}</c>), each lead created (<c>lead.created:{leadId}</c>)
/// and scored (<c>lead.scored:{leadId}</c>), the AI ledger's billable USD per day (<c>ai:{date}</c>) and the bytes stored
/// under the client's blob prefixes (<c>storage:{date}</c>, measured when first collected). Each metric is one
/// INSERT … SELECT over the whole range.
/// </summary>
public sealed class UsageCollector(
    StreamFlowDatabase database,
    BlobServiceClient blobs,
    TenantPricingService pricing,
    TimeProvider timeProvider,
    ILogger<UsageCollector> logger)
{
    private static readonly string[] TenantContainers =
        [BlobContainerNames.Reports, BlobContainerNames.Documents, BlobContainerNames.Models, BlobContainerNames.Invoices];

    // A user holds a seat on a day when they are active and existed by the day's end (their status as collected).
    private const string SeatsSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT u.tenant_id, 'seat:' || to_char(d, 'YYYY-MM-DD') || ':' || u.id, 'seats', 1, u.id::text, d AT TIME ZONE 'UTC', @Now
        FROM generate_series(@From::timestamp, @To::timestamp - interval '1 day', interval '1 day') AS d
        JOIN users u ON u.status = 'active' AND u.created_at < (d + interval '1 day') AT TIME ZONE 'UTC'
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string LeadsCreatedSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'lead.created:' || id, 'leads_created', 1, id::text, created_at, @Now
        FROM leads WHERE created_at >= @FromTime AND created_at < @ToTime
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string LeadsScoredSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'lead.scored:' || id, 'leads_scored', 1, id::text, scored_at, @Now
        FROM leads WHERE scored_at >= @FromTime AND scored_at < @ToTime
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string AiSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'ai:' || to_char(day, 'YYYY-MM-DD'), 'ai_billable_usd', sum(billable_usd), NULL, day AT TIME ZONE 'UTC', @Now
        FROM (SELECT tenant_id, date_trunc('day', occurred_at AT TIME ZONE 'UTC') AS day, billable_usd
              FROM ai_usage WHERE occurred_at >= @FromTime AND occurred_at < @ToTime) AS calls
        GROUP BY tenant_id, day
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string StorageSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT @TenantId, 'storage:' || to_char(d, 'YYYY-MM-DD'), 'storage_bytes', @Bytes, NULL, d AT TIME ZONE 'UTC', @Now
        FROM generate_series(@From::timestamp, @To::timestamp - interval '1 day', interval '1 day') AS d
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string ActiveTenantsSql = "SELECT id FROM tenants WHERE status = 'active' ORDER BY id";

    /// <summary>Collects the closed UTC days of [from, to) (days from today on are left for later). Safe to repeat.</summary>
    public async Task<CollectedUsage> CollectAsync(Guid tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var end = to > today ? today : to;
        if (end <= from)
        {
            return new CollectedUsage(tenantId, from, from, 0);
        }

        var bytes = await StoredBytesAsync(tenantId, cancellationToken);
        var recorded = await database.InTenantAsync(tenantId, async scope =>
        {
            var range = new { TenantId = tenantId, From = from, To = end, FromTime = UsageMeter.StartOf(from), ToTime = UsageMeter.StartOf(end), Now = now, Bytes = bytes };
            var count = 0;
            foreach (var sql in new[] { SeatsSql, LeadsCreatedSql, LeadsScoredSql, AiSql, StorageSql })
            {
                count += await scope.Connection.ExecuteAsync(scope.Command(sql, range));
            }

            return count;
        }, cancellationToken);
        return new CollectedUsage(tenantId, from, end, recorded);
    }

    /// <summary>
    /// The daily run: yesterday's usage for every active client, and the AI markup of each client's price in effect
    /// today applied to the gateway (prices dated in the future take effect this way). A failing client is logged
    /// and skipped; the next run (or its billing run) collects the day again.
    /// </summary>
    public async Task<MeteringRun> CollectYesterdayAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var tenants = await database.InPlatformAsync(async scope => (await scope.Connection.QueryAsync<Guid>(scope.Command(ActiveTenantsSql))).AsList(), cancellationToken);
        int events = 0, markups = 0, failed = 0;
        foreach (var tenantId in tenants)
        {
            try
            {
                events += (await CollectAsync(tenantId, today.AddDays(-1), today, cancellationToken)).EventsRecorded;
                markups += await pricing.ApplyCurrentAiMarkupAsync(tenantId, cancellationToken) ? 1 : 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogError(exception, "Usage of {TenantId} could not be collected for {Day}", tenantId, today.AddDays(-1));
            }
        }

        return new MeteringRun(today.AddDays(-1), tenants.Count, events, markups, failed);
    }

    private async Task<long> StoredBytesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (var name in TenantContainers)
        {
            try
            {
                await foreach (var blob in blobs.GetBlobContainerClient(name).GetBlobsAsync(new GetBlobsOptions { Prefix = $"{tenantId}/" }, cancellationToken))
                {
                    bytes += blob.Properties.ContentLength ?? 0;
                }
            }
            catch (Azure.RequestFailedException exception) when (exception.Status == 404)
            {
                // A container nothing was stored in yet.
            }
        }

        return bytes;
    }
}
