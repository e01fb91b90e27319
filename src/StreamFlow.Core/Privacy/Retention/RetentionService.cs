using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy.SubjectRequests;

namespace StreamFlow.Core.Privacy.Retention;

/// <summary>
/// A business's retention periods; null keeps those records. Lost leads are erased (as a data-subject erasure does:
/// personal fields cleared, invoices kept pseudonymised) N months after they were lost; ended sessions are deleted N days
/// after they expired or were revoked; dispatched webhook events with their deliveries and attempts N days after they
/// were created; audit entries older than N years are counted, never deleted (the hash chain, see docs/privacy.md).
/// </summary>
/// <param name="LostLeadsMonths">1–600.</param>
/// <param name="AuditYears">1–100 (reported as due; the chain is kept).</param>
/// <param name="SessionsDays">1–3650.</param>
/// <param name="WebhookLogsDays">1–3650.</param>
/// <param name="DataKeyRotationDays">1–3650: the business's data key is rotated once it is this old (the RotateDueDataKeys timer).</param>
public sealed record RetentionPolicy(int? LostLeadsMonths, int? AuditYears, int? SessionsDays, int? WebhookLogsDays, int? DataKeyRotationDays = null);

/// <summary>The policy as stored, with who set it last.</summary>
public sealed record RetentionPolicyView(
    int? LostLeadsMonths, int? AuditYears, int? SessionsDays, int? WebhookLogsDays, int? DataKeyRotationDays, string? UpdatedBy, DateTimeOffset? UpdatedAt);

/// <summary>One kind of record under the policy: its cutoff and how many records are past it (a dry run) or were removed.</summary>
public sealed record RetentionCategory(string Name, DateTimeOffset? Cutoff, long Count, bool Applied);

/// <summary>What a policy did or would do now.</summary>
public sealed record RetentionOutcome(bool DryRun, DateTimeOffset At, IReadOnlyList<RetentionCategory> Categories);

/// <summary>Retention policies per business: read and set, a dry run that only counts, and the nightly application.</summary>
public sealed class RetentionService(StreamFlowDatabase database, TimeProvider timeProvider, ILogger<RetentionService> logger)
{
    private const int Batch = 500;

    public async Task<RetentionPolicyView> PolicyAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var stored = await database.InTenantAsync(tenantId, RetentionStore.PolicyAsync, cancellationToken);
        return stored is null
            ? new RetentionPolicyView(null, null, null, null, null, null, null)
            : new RetentionPolicyView(stored.LostLeadsMonths, stored.AuditYears, stored.SessionsDays, stored.WebhookLogsDays, stored.DataKeyRotationDays,
                stored.UpdatedBy, stored.UpdatedAt);
    }

    public async Task<Result<RetentionPolicyView>> SetPolicyAsync(Guid tenantId, string actor, RetentionPolicy? policy, CancellationToken cancellationToken)
    {
        if (policy is null)
        {
            return Problem.Validation("body", "must be a JSON object with lostLeadsMonths, auditYears, sessionsDays and webhookLogsDays (null keeps).");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Check(errors, "lostLeadsMonths", policy.LostLeadsMonths, 1, 600);
        Check(errors, "auditYears", policy.AuditYears, 1, 100);
        Check(errors, "sessionsDays", policy.SessionsDays, 1, 3650);
        Check(errors, "webhookLogsDays", policy.WebhookLogsDays, 1, 3650);
        Check(errors, "dataKeyRotationDays", policy.DataKeyRotationDays, 1, 3650);
        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }

        await database.InTenantAsync(tenantId, async scope =>
        {
            await RetentionStore.UpsertPolicyAsync(scope, tenantId, policy, actor, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
        return await PolicyAsync(tenantId, cancellationToken);
    }

    /// <summary>What applying the policy now would remove, without removing anything.</summary>
    public Task<RetentionOutcome> DryRunAsync(Guid tenantId, CancellationToken cancellationToken) =>
        RunAsync(tenantId, dryRun: true, cancellationToken);

    /// <summary>Applies the policy of one business now and records the run.</summary>
    public Task<RetentionOutcome> ApplyAsync(Guid tenantId, CancellationToken cancellationToken) =>
        RunAsync(tenantId, dryRun: false, cancellationToken);

    /// <summary>The nightly run: every business with a policy, each on its own; one failing does not stop the others.</summary>
    public async Task<(int Tenants, int Failed)> ApplyAllAsync(CancellationToken cancellationToken)
    {
        var tenants = await database.InPlatformAsync(PersonalDataBackfillStore.TenantsAsync, cancellationToken);
        var failed = 0;
        foreach (var tenant in tenants)
        {
            try
            {
                await ApplyAsync(tenant, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogError(exception, "Retention policy of tenant {TenantId} could not be applied", tenant);
            }
        }

        return (tenants.Count, failed);
    }

    private async Task<RetentionOutcome> RunAsync(Guid tenantId, bool dryRun, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var policy = await database.InTenantAsync(tenantId, RetentionStore.PolicyAsync, cancellationToken);
        if (policy is null)
        {
            return new RetentionOutcome(dryRun, now, []);
        }

        var categories = new List<RetentionCategory>();
        if (policy.LostLeadsMonths is { } months)
        {
            var cutoff = now.AddMonths(-months);
            categories.Add(new("lostLeads", cutoff, dryRun
                ? await database.InTenantAsync(tenantId, scope => RetentionStore.DueLostLeadsAsync(scope, cutoff), cancellationToken)
                : await EraseLostLeadsAsync(tenantId, cutoff, now, cancellationToken), !dryRun));
        }

        if (policy.SessionsDays is { } sessionDays)
        {
            var cutoff = now.AddDays(-sessionDays);
            categories.Add(new("sessions", cutoff, await database.InTenantAsync(tenantId, async scope => dryRun
                ? await RetentionStore.DueSessionsAsync(scope, cutoff)
                : await RetentionStore.PurgeSessionsAsync(scope, cutoff), cancellationToken), !dryRun));
        }

        if (policy.WebhookLogsDays is { } webhookDays)
        {
            var cutoff = now.AddDays(-webhookDays);
            categories.Add(new("webhookLogs", cutoff, dryRun
                ? await database.InTenantAsync(tenantId, scope => RetentionStore.DueWebhookLogsAsync(scope, cutoff), cancellationToken)
                : await PurgeWebhookLogsAsync(tenantId, cutoff, cancellationToken), !dryRun));
        }

        if (policy.AuditYears is { } years)
        {
            var cutoff = now.AddYears(-years);
            categories.Add(new("auditEntries", cutoff,
                await database.InTenantAsync(tenantId, scope => RetentionStore.DueAuditAsync(scope, tenantId, cutoff), cancellationToken), Applied: false));
        }

        if (!dryRun)
        {
            var counts = JsonSerializer.Serialize(categories.ToDictionary(c => c.Name, c => c.Count));
            await database.InTenantAsync(tenantId, async scope =>
            {
                await RetentionStore.RecordRunAsync(scope, tenantId, counts, now);
                return true;
            }, cancellationToken);
        }

        return new RetentionOutcome(dryRun, now, categories);
    }

    // Batches of their own transactions: a crash loses at most the batch in flight, and the next night carries on.
    private async Task<long> EraseLostLeadsAsync(Guid tenantId, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long erased = 0;
        while (true)
        {
            var done = await database.InTenantAsync(tenantId, async scope =>
            {
                var batch = await RetentionStore.LostLeadBatchAsync(scope, cutoff, Batch);
                return batch.Length == 0 ? 0 : (await SubjectRequestStore.EraseAsync(scope, batch, ExpiredPseudonym, now))?.Leads ?? 0;
            }, cancellationToken);
            erased += done;
            if (done < Batch)
            {
                return erased;
            }
        }
    }

    private async Task<long> PurgeWebhookLogsAsync(Guid tenantId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long purged = 0;
        while (true)
        {
            var done = await database.InTenantAsync(tenantId, scope => RetentionStore.PurgeWebhookLogsAsync(scope, cutoff, Batch), cancellationToken);
            purged += done;
            if (done < Batch)
            {
                return purged;
            }
        }
    }

    /// <summary>The customer name kept on invoices, quotes and jobs of a lost lead past its retention.</summary>
    internal const string ExpiredPseudonym = "Expired lead (retention)";

    private static void Check(Dictionary<string, string[]> errors, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors[field] = [$"must be between {min} and {max}, or null to keep these records."];
        }
    }
}
