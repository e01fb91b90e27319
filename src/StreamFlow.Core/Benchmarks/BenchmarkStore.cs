using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Benchmarks;

/// <summary>Every active business's figures through the SECURITY DEFINER function benchmark_tenant_metrics.</summary>
internal static class BenchmarkStore
{
    private const string FiguresSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, industry AS Industry, active_users AS ActiveUsers,
               lead_volume AS LeadVolume, first_contact_hours AS FirstContactHours, conversion_rate AS ConversionRate,
               won_revenue_per_lead AS WonRevenuePerLead, average_job_value AS AverageJobValue, ai_spend_share AS AiSpendShare
        FROM benchmark_tenant_metrics(@Since, @AsOf)
        """;

    public static async Task<IReadOnlyList<BenchmarkFiguresRow>> FiguresAsync(DbTransactionScope scope, DateTimeOffset since, DateTimeOffset asOf) =>
        (await scope.Connection.QueryAsync<BenchmarkFiguresRow>(scope.Command(FiguresSql, new { Since = since, AsOf = asOf }))).AsList();
}

internal sealed record BenchmarkFiguresRow
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string Industry { get; init; } = "";
    public long ActiveUsers { get; init; }
    public long LeadVolume { get; init; }
    public double? FirstContactHours { get; init; }
    public double? ConversionRate { get; init; }
    public double? WonRevenuePerLead { get; init; }
    public double? AverageJobValue { get; init; }
    public double? AiSpendShare { get; init; }
}
