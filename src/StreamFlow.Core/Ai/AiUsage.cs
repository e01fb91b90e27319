namespace StreamFlow.Core.Ai;

/// <summary>How a gateway call ended, as the ledger records it.</summary>
public enum AiCallOutcome
{
    Succeeded,
    Failed,
    RefusedBudget,
    Cached,
    /// <summary>The consumer of a stream went away; billed for what was generated until then.</summary>
    Cancelled,
}

/// <summary>One ledger row: what one call used and cost.</summary>
internal sealed record AiUsageEntry(
    Guid Id,
    Guid TenantId,
    Guid? UserId,
    string Feature,
    string Model,
    string Deployment,
    AiTokenUsage Usage,
    decimal CostUsd,
    decimal MarkupRate,
    decimal BillableUsd,
    bool CacheHit,
    bool Streamed,
    int LatencyMs,
    AiCallOutcome Outcome,
    DateTimeOffset OccurredAt);

/// <summary>A tenant's own usage for one UTC day, feature and model, in what the tenant is billed (no provider cost).</summary>
public sealed record AiTenantUsageRow(
    DateOnly Day,
    string Feature,
    string Model,
    long Calls,
    long Succeeded,
    long Cached,
    long Refused,
    long Failed,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal BillableUsd);

public sealed record AiTenantUsageReport(Guid TenantId, DateOnly From, DateOnly To, IReadOnlyList<AiTenantUsageRow> Rows, decimal TotalBillableUsd);

/// <summary>Usage of one tenant for one UTC day, feature and model, as the provider sees it (cost and billable).</summary>
public sealed record AiProviderUsageRow(
    Guid TenantId,
    DateOnly Day,
    string Feature,
    string Model,
    long Calls,
    long Succeeded,
    long Cached,
    long Refused,
    long Failed,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    decimal CostUsd,
    decimal BillableUsd);

public sealed record AiProviderUsageReport(DateOnly From, DateOnly To, IReadOnlyList<AiProviderUsageRow> Rows, decimal TotalCostUsd, decimal TotalBillableUsd);
