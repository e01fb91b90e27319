using StreamFlow.Core.Kernel;
using StreamFlow.Core.Reports.Insights;

namespace StreamFlow.Core.Reports;

/// <summary>
/// A tenant's executive report for one period, compared with the period before. Counts are of live (not deleted)
/// leads. Pipeline and stale hot leads are a snapshot at <see cref="GeneratedAt"/>; the rest belong to the period.
/// </summary>
public sealed record ReportSummary(
    Guid TenantId,
    string TenantName,
    ReportPeriod Period,
    ReportPeriod PreviousPeriod,
    DateTimeOffset GeneratedAt,
    string Currency,
    NewLeadsReport NewLeads,
    TierMix Tiers,
    ConversionReport Conversion,
    WonRevenueReport WonRevenue,
    PipelineReport Pipeline,
    StaleHotLeadsReport StaleHotLeads,
    ResponseTimeReport ResponseTime,
    AiSpend AiSpend,
    RevenueForecast Forecast,
    IReadOnlyList<ReportConnection>? Connections = null,
    FieldWorkReport? FieldWork = null,
    ModelHealthReport? ModelHealth = null,
    PeerPositionReport? Peers = null,
    InsightHighlights? Insight = null);

/// <summary>
/// Field work in the period: visits completed and how many of them the technician reported running late, quotes sent
/// (latest versions) and approved, with their totals in the report currency (quotes in other currencies are left out);
/// arrivals inside their window and each technician's utilisation (<see cref="FieldOps.Reporting.FieldWorkFigures"/>).
/// </summary>
public sealed record FieldWorkReport(
    int VisitsCompleted, int VisitsReportedLate, double? OnTimeRate, int QuotesSent, Money QuotedValue, int QuotesApproved, Money ApprovedValue,
    int Arrivals = 0, int OnTimeArrivals = 0, double? OnTimeArrivalRate = null, IReadOnlyList<FieldOps.Reporting.TechnicianFieldWork>? Technicians = null);

/// <summary>The lead scorer's health (GET /api/v1/scoring/model/governance) in a few figures: the owner's report only.</summary>
public sealed record ModelHealthReport(
    int? ModelVersion, double? ValidationAuc, int LiveOutcomes, double? LiveAuc, string LiveAssessment, IReadOnlyList<string> DriftingFeatures,
    bool RetrainRecommended, IReadOnlyList<string> RetrainReasons, string? IndustryPool = null);

/// <summary>Where the business stands among its peers (GET /api/v1/benchmarks): its own figures only, each with its percentile rank or why it is suppressed.</summary>
public sealed record PeerPositionReport(string Industry, string SizeBand, IReadOnlyList<PeerFigure> Figures);

public sealed record PeerFigure(string Figure, double? Value, double? PercentileRank, double? Median, string? Suppressed);

public sealed record SourceCount(string Source, int Count, int PreviousCount);

/// <summary>Leads created in the period by source (leads without one count as "(none)").</summary>
public sealed record NewLeadsReport(int Total, int PreviousTotal, IReadOnlyList<SourceCount> BySource);

/// <summary>The score tiers of the leads created in the period; unscored ones have not been scored (yet).</summary>
public sealed record TierMix(int Hot, int Warm, int Cold, int Unscored);

/// <summary>Won ÷ (won + lost) of the outcomes decided in the period; null when nothing was decided.</summary>
public sealed record ConversionReport(int Won, int Lost, double? Rate, int PreviousWon, int PreviousLost, double? PreviousRate);

/// <summary>Won amounts with the outcome decided in the period, in the report currency; other currencies apart.</summary>
public sealed record WonRevenueReport(Money Amount, Money PreviousAmount, double? Change, IReadOnlyList<Money> OtherCurrencies);

/// <summary>
/// Live leads per pipeline stage now. Won stage: realized value = the sum of won amounts (report currency). Open
/// stages: estimated value = the sum of each lead's numeric <c>estimatedValue</c> attribute (else <c>value</c>), taken
/// as the report currency, with the number of leads that have one; leads without either count but add no value.
/// </summary>
public sealed record PipelineReport(IReadOnlyList<StageValue> Stages, int OpenLeads, Money OpenEstimatedValue);

public sealed record StageValue(string Key, string Name, string Kind, int Count, Money? RealizedValue, Money? EstimatedValue, int EstimatedCount);

/// <summary>Open hot leads at least 48 h old that no user has touched in the last 48 h (creation and scoring do not count).</summary>
public sealed record StaleHotLeadsReport(int Count, IReadOnlyList<StaleLead> Leads);

public sealed record StaleLead(Guid Id, string Name, string? Source, DateTimeOffset CreatedAt, DateTimeOffset? LastTouchedAt);

/// <summary>For leads created in the period: hours from creation to the first activity of a user, other than creating it.</summary>
public sealed record ResponseTimeReport(int NewLeads, int Responded, double? AverageHours, double? PreviousAverageHours);

/// <summary>AI spend in the period against the tenant's budget; <see cref="Available"/> is false until a ledger is wired in.</summary>
public sealed record AiSpend(bool Available, Money? Spent, Money? Budget, string? Note)
{
    public static AiSpend NotAvailable(string note) => new(false, null, null, note);
}
