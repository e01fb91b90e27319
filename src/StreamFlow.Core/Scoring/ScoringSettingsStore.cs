using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring.Rules;

namespace StreamFlow.Core.Scoring;

/// <summary>A tenant's scoring settings; SharesWithIndustryPool: its decided leads count in its industry's pool (the default).</summary>
public sealed record ScoringSettings(ScoringRuleSet? RuleSet, TierThresholds? Thresholds, bool AiEnabled, RoutingSettings Routing, bool SharesWithIndustryPool = true);

internal static class ScoringSettingsStore
{
    private const string LoadSql = """
        SELECT rule_set::text AS RuleSet, hot_threshold AS Hot, warm_threshold AS Warm, ai_enabled AS AiEnabled, routing::text AS Routing,
               shares_with_industry_pool AS SharesWithIndustryPool
        FROM scoring_settings
        """;

    // The tenant's industry (default rules), its settings and its serving model's version in one round trip.
    private const string LoadContextSql = """
        SELECT t.industry AS Industry, s.rule_set::text AS RuleSet, s.hot_threshold AS Hot, s.warm_threshold AS Warm,
               COALESCE(s.ai_enabled, false) AS AiEnabled, COALESCE(s.routing::text, '{}') AS Routing,
               COALESCE(s.shares_with_industry_pool, true) AS SharesWithIndustryPool,
               m.version AS ModelVersion, m.blob_name AS ModelBlobName
        FROM tenants AS t
        LEFT JOIN scoring_settings AS s ON s.tenant_id = t.id
        LEFT JOIN scoring_models AS m ON m.status = 'serving'
        WHERE t.id = @TenantId
        """;

    private const string SaveRulesSql = """
        INSERT INTO scoring_settings (tenant_id, rule_set, hot_threshold, warm_threshold, ai_enabled, routing, shares_with_industry_pool, updated_at)
        VALUES (@TenantId, @RuleSet::jsonb, @Hot, @Warm, @AiEnabled, @Routing::jsonb, @SharesWithIndustryPool, now())
        ON CONFLICT (tenant_id) DO UPDATE SET rule_set = EXCLUDED.rule_set, hot_threshold = EXCLUDED.hot_threshold,
            warm_threshold = EXCLUDED.warm_threshold, ai_enabled = EXCLUDED.ai_enabled, routing = EXCLUDED.routing,
            shares_with_industry_pool = EXCLUDED.shares_with_industry_pool, updated_at = now()
        """;

    public static async Task<ScoringSettings> LoadAsync(DbTransactionScope scope) =>
        ToSettings(await scope.Connection.QuerySingleOrDefaultAsync<SettingsRow>(scope.Command(LoadSql)));

    /// <summary>Null when the tenant does not exist.</summary>
    public static async Task<ScoringContext?> LoadContextAsync(DbTransactionScope scope, Guid tenantId) =>
        ToContext(await scope.QuerySingleOrDefaultAsync<ContextRow>(LoadContextSql, new { TenantId = tenantId }));

    /// <summary><see cref="LoadContextAsync"/> riding with the scope's next round trip.</summary>
    public static async Task<ScoringContext?> LoadContextLaterAsync(DbTransactionScope scope, Guid tenantId) =>
        ToContext(await scope.QuerySingleOrDefaultLaterAsync<ContextRow>(LoadContextSql, new { TenantId = tenantId }));

    private static ScoringContext? ToContext(ContextRow? row) =>
        row is null ? null : new ScoringContext(
            row.Industry,
            ToSettings(row),
            row.ModelVersion is { } version ? new ServingModelRow { Version = version, BlobName = row.ModelBlobName! } : null);

    private static ScoringSettings ToSettings(SettingsRow? settings)
    {
        if (settings is null)
        {
            return new ScoringSettings(null, null, false, new RoutingSettings());
        }

        return new ScoringSettings(
            settings.RuleSet is null ? null : JsonSerializer.Deserialize<ScoringRuleSet>(settings.RuleSet, StreamFlowJson.Options),
            settings.Hot is { } hot && settings.Warm is { } warm ? new TierThresholds(hot, warm) : null,
            settings.AiEnabled,
            JsonSerializer.Deserialize<RoutingSettings>(settings.Routing, StreamFlowJson.Options) ?? new RoutingSettings(),
            settings.SharesWithIndustryPool);
    }

    public static Task SaveAsync(DbTransactionScope scope, Guid tenantId, ScoringSettings settings) =>
        scope.Connection.ExecuteAsync(scope.Command(SaveRulesSql, new
        {
            TenantId = tenantId,
            RuleSet = settings.RuleSet is null ? null : JsonSerializer.Serialize(settings.RuleSet, StreamFlowJson.Options),
            Hot = settings.Thresholds?.Hot,
            Warm = settings.Thresholds?.Warm,
            settings.AiEnabled,
            Routing = JsonSerializer.Serialize(settings.Routing, StreamFlowJson.Options),
            settings.SharesWithIndustryPool,
        }));
}

internal sealed record ScoringContext(string Industry, ScoringSettings Settings, ServingModelRow? Model);

internal record SettingsRow
{
    public string? RuleSet { get; init; }

    public double? Hot { get; init; }

    public double? Warm { get; init; }

    public bool AiEnabled { get; init; }

    public string Routing { get; init; } = "{}";

    public bool SharesWithIndustryPool { get; init; } = true;
}

internal sealed record ContextRow : SettingsRow
{
    public string Industry { get; init; } = "";

    public int? ModelVersion { get; init; }

    public string? ModelBlobName { get; init; }
}
