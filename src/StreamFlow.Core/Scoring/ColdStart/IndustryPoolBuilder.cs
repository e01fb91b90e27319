using StreamFlow.Core.Database;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring.ColdStart;

/// <summary>A business as the builder sees it: which industry's pool it feeds.</summary>
public sealed record PoolMember(Guid TenantId, string Industry);

/// <summary>What one rebuild did for one industry.</summary>
public sealed record PoolRebuild(string Industry, int Businesses, int Decided, double? ValidationAuc, bool Kept);

/// <summary>
/// Rebuilds every industry's pool (nightly, before retraining). Each business's decided leads are read in its own
/// transaction and only their counts leave it. The pool's quality is measured leaving one business out: the business's
/// leads scored by the pool of the others, over every business, as a new business would be scored.
/// </summary>
public sealed class IndustryPoolBuilder(StreamFlowDatabase database, TenantKeyring keyring, IndustryPools pools, TimeProvider timeProvider)
{
    public async Task<IReadOnlyList<PoolRebuild>> RebuildAsync(IReadOnlyList<PoolMember> members, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        var rebuilt = new List<PoolRebuild>();
        foreach (var industry in members.GroupBy(m => m.Industry, StringComparer.Ordinal))
        {
            rebuilt.Add(await RebuildIndustryAsync(industry.Key, [.. industry.Select(m => m.TenantId)], cancellationToken));
        }

        pools.Forget();
        return rebuilt;
    }

    private async Task<PoolRebuild> RebuildIndustryAsync(string industry, IReadOnlyList<Guid> tenants, CancellationToken cancellationToken)
    {
        var tallies = new Dictionary<Guid, OutcomeTallies>();
        foreach (var tenant in tenants)
        {
            tallies[tenant] = OutcomeTallies.Of(await DecidedLeadsAsync(tenant, cancellationToken));
        }

        var now = timeProvider.GetUtcNow();
        var pool = IndustryPool.From(industry, tallies.Values, double.NaN, now);
        if (pool is null)
        {
            await database.InPlatformAsync(async scope => { await IndustryPoolStore.RemoveAsync(scope, industry); return true; }, cancellationToken);
            return new PoolRebuild(industry, tallies.Values.Count(t => t.Decided > 0), tallies.Values.Sum(t => t.Decided), null, false);
        }

        var (auc, thresholds) = await LeaveOneBusinessOutAsync(industry, tallies, now, cancellationToken);
        pool = pool with { ValidationAuc = auc ?? double.NaN, Thresholds = thresholds };
        await database.InPlatformAsync(async scope => { await IndustryPoolStore.SaveAsync(scope, pool); return true; }, cancellationToken);
        return new PoolRebuild(industry, pool.Businesses, pool.Decided, auc, true);
    }

    /// <summary>The pool's AUC on businesses it did not include, and tier cut-offs chosen from those predictions.</summary>
    private async Task<(double? Auc, TierThresholds? Thresholds)> LeaveOneBusinessOutAsync(
        string industry, IReadOnlyDictionary<Guid, OutcomeTallies> tallies, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var scores = new List<double>();
        var won = new List<bool>();
        foreach (var (tenant, own) in tallies.Where(t => t.Value.Decided > 0))
        {
            // With three businesses the others are two: enough to measure how a pool carries to a business it never saw.
            List<OutcomeTallies> rest = [.. tallies.Where(t => t.Key != tenant && t.Value.Decided > 0).Select(t => t.Value)];
            var others = IndustryPool.From(industry, rest, double.NaN, now, Math.Min(IndustryPool.MinimumBusinesses, rest.Count));
            if (others is null)
            {
                continue;
            }

            foreach (var (profile, converted) in await DecidedLeadsAsync(tenant, cancellationToken))
            {
                scores.Add(others.Predict(profile).Probability);
                won.Add(converted);
            }
        }

        return won.Contains(true) && won.Contains(false)
            ? (Math.Round(RankingMetrics.Auc(scores, won), 4), TierThresholds.FromValidation(scores, won))
            : (null, null);
    }

    /// <summary>A business's decided leads; none for a business that keeps its outcomes out of the pool.</summary>
    private async Task<IReadOnlyList<(LeadProfile Profile, bool Won)>> DecidedLeadsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        return await database.InTenantAsync<IReadOnlyList<(LeadProfile, bool)>>(tenantId, async scope =>
            (await ScoringSettingsStore.LoadAsync(scope)).SharesWithIndustryPool
                ? [.. (await LeadScoreStore.WithOutcomeAsync(scope)).Select(l => l.ToLead(keys)).Select(l => (LeadProfiles.From(l), l.Outcome!.Status == "won"))]
                : [],
            cancellationToken);
    }
}
