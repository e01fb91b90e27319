using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring.Rules;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Scoring;

/// <summary>
/// What the API shows: the rules in force (the industry default until the tenant sets its own), thresholds, routing,
/// and whether the business's outcomes count in its industry's pool.
/// </summary>
public sealed record ScoringSettingsView(
    ScoringRuleSet Rules, bool RulesAreDefault, TierThresholds? Thresholds, bool AiEnabled, RoutingSettings Routing, bool SharesWithIndustryPool);

/// <summary>A change of scoring settings; a null member stays as it is.</summary>
public sealed record ScoringSettingsUpdate(
    ScoringRuleSet? Rules, TierThresholds? Thresholds, bool? AiEnabled, RoutingSettings? Routing, bool? ResetRules, bool? SharesWithIndustryPool = null);

/// <summary>A tenant's scoring rules, tier thresholds, AI switch and routing territories, editable through the API.</summary>
public sealed class ScoringSettingsService(StreamFlowDatabase database, TenantService tenants, AuditLog audit)
{
    public async Task<ScoringSettingsView> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var tenant = (await tenants.GetAsync(tenantId, cancellationToken)).Value!;
        var settings = await database.InTenantAsync(tenantId, ScoringSettingsStore.LoadAsync, cancellationToken);
        return View(settings, tenant.Industry);
    }

    public async Task<Result<ScoringSettingsView>> UpdateAsync(Guid tenantId, ScoringSettingsUpdate update, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (update.Rules is not null && ScoringRuleValidator.Validate(update.Rules) is { } invalidRules)
        {
            return invalidRules;
        }

        if (update.Thresholds is { } thresholds && (thresholds.Warm is < 0 or > 100 || thresholds.Hot is < 0 or > 100 || thresholds.Hot <= thresholds.Warm))
        {
            return Problem.Validation("thresholds", "need 0 <= warm < hot <= 100.");
        }

        var tenant = (await tenants.GetAsync(tenantId, cancellationToken)).Value!;
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var current = await ScoringSettingsStore.LoadAsync(scope);
            var changed = new ScoringSettings(
                update.ResetRules == true ? null : update.Rules ?? current.RuleSet,
                update.Thresholds ?? current.Thresholds,
                update.AiEnabled ?? current.AiEnabled,
                update.Routing ?? current.Routing,
                update.SharesWithIndustryPool ?? current.SharesWithIndustryPool);
            await ScoringSettingsStore.SaveAsync(scope, tenantId, changed);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, "scoring.settings.changed", $"tenant:{tenantId}", AuditOutcome.Succeeded, origin,
                new JsonObject { ["rules"] = update.Rules is not null || update.ResetRules == true, ["thresholds"] = update.Thresholds is not null, ["aiEnabled"] = update.AiEnabled, ["routing"] = update.Routing is not null,
                    ["sharesWithIndustryPool"] = update.SharesWithIndustryPool }));
            return Result<ScoringSettingsView>.Success(View(changed, tenant.Industry));
        }, cancellationToken);
    }

    private static ScoringSettingsView View(ScoringSettings settings, string industry) =>
        new(settings.RuleSet ?? DefaultRuleSets.For(industry), settings.RuleSet is null, settings.Thresholds, settings.AiEnabled, settings.Routing,
            settings.SharesWithIndustryPool);
}
