using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.Attribution;

/// <summary>A monthly cost the business pays for a lead source (an ad platform, a lead service, a directory).</summary>
public sealed record SourceCostInput(string? Amount, string? Currency);

public sealed record SourceCostView(string Source, Money MonthlyCost, DateTimeOffset UpdatedAt);

public sealed record SourceCostList(IReadOnlyList<SourceCostView> Items);

/// <summary>
/// One source over a period of whole months: leads created in it, those won, their won revenue, what the source cost
/// (its monthly cost times the months, plus per-lead costs a source brought) and the cost per won job. Money comes one
/// object per currency, never mixed.
/// </summary>
public sealed record SourceAttribution(
    string Source, int Leads, int Won, IReadOnlyList<Money> WonRevenue, IReadOnlyList<Money> Cost, IReadOnlyList<Money> CostPerWon, IReadOnlyList<Money> CostPerLead);

/// <summary>The attribution report: <see cref="From"/> to <see cref="To"/> inclusive, as months (yyyy-MM).</summary>
public sealed record AttributionReport(string From, string To, int Months, IReadOnlyList<SourceAttribution> Sources);

internal sealed record SourceCount(string Source, int Leads, int Won);

internal sealed record SourceAmount(string Source, string Currency, decimal Amount);

internal sealed record SourceCostRow(string Source, decimal MonthlyAmount, string Currency, DateTimeOffset UpdatedAt)
{
    public SourceCostView ToView() => new(Source, Money.Of(MonthlyAmount, Currency), UpdatedAt);
}
