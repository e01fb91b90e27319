using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Storage;
using StreamFlow.Core.Tenancy;

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
/// INSERT … SELECT over the whole range (<see cref="UsageEventStore"/>).
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
        var recorded = await database.InTenantAsync(
            tenantId, scope => UsageEventStore.CollectAsync(scope, tenantId, from, end, now, bytes), cancellationToken);
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
        var tenants = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
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
