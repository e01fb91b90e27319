using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>A reusable price plan as the API shows it.</summary>
public sealed record BillingPlan(
    Guid Id,
    string Code,
    string Name,
    string Currency,
    Money BaseFee,
    Money SeatPrice,
    int IncludedLeads,
    Money LeadPrice,
    decimal AiMarkupPercent,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A plan to create, or the new values of one (a missing field keeps its value on update).</summary>
public sealed record BillingPlanInput(
    string? Code,
    string? Name,
    string? Currency,
    string? BaseFee,
    string? SeatPrice,
    int? IncludedLeads,
    string? LeadPrice,
    decimal? AiMarkupPercent);

public sealed record BillingPlanList(IReadOnlyList<BillingPlan> Items, string? NextCursor);
