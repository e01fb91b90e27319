using System.Text.Json;
using Dapper;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.ColdStart;
using StreamFlow.Core.Scoring.Governance;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Scoring;

/// <summary>
/// Cold start: a new business is scored from its industry's pooled outcomes. On a database of its own, so that the
/// industries' pools are these businesses' alone.
/// </summary>
public sealed class IndustryPoolTests(ScratchDatabase services) : IClassFixture<ScratchDatabase>
{
    [Fact]
    public async Task A_new_business_is_scored_from_its_industry_s_pool_which_holds_counts_of_three_businesses_and_no_lead()
    {
        var roofers = new List<Guid>();
        for (var b = 0; b < 3; b++)
        {
            roofers.Add(await BusinessWithHistoryAsync("roofing", b));
        }

        var newcomer = await BusinessAsync("roofing");
        var plumber = await BusinessWithHistoryAsync("plumbing", 9);

        var rebuilt = await services.Get<IndustryPoolBuilder>().RebuildAsync(
            [.. roofers.Append(newcomer).Select(t => new PoolMember(t, "roofing")), new PoolMember(plumber, "plumbing")], CancellationToken.None);

        var roofing = rebuilt.Single(r => r.Industry == "roofing");
        Assert.True(roofing.Kept);
        Assert.Equal(3, roofing.Businesses);
        Assert.Equal(120, roofing.Decided);
        Assert.InRange(roofing.ValidationAuc!.Value, 0.75, 1.0);
        Assert.False(rebuilt.Single(r => r.Industry == "plumbing").Kept);

        var stored = await StoredPoolsAsync();
        Assert.Equal(["roofing"], stored.Keys);
        Assert.Contains("referral", stored["roofing"], StringComparison.Ordinal);
        Assert.DoesNotContain("Customer", stored["roofing"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pool-", stored["roofing"], StringComparison.Ordinal);
        Assert.DoesNotContain("springfield", stored["roofing"], StringComparison.OrdinalIgnoreCase);

        var hot = await CreateLeadAsync(newcomer, "Referral", "Premium", "new-1");
        var cold = await CreateLeadAsync(newcomer, "Web", "Basic", "new-2");
        var unpooled = await CreateLeadAsync(plumber, "Referral", "Premium", "new-3");

        Assert.StartsWith("industry-pool:roofing@", hot.Score!.Model, StringComparison.Ordinal);
        Assert.True(hot.Score.Probability > cold.Score!.Probability + 0.3, $"{hot.Score.Probability} vs {cold.Score.Probability}");
        Assert.Contains(hot.Score.Factors, f => f.Name == "Lead Source: Referral" && f.Direction == "up");
        Assert.StartsWith("rules-", unpooled.Score!.Model, StringComparison.Ordinal);

        var governance = await services.Get<ModelGovernanceService>().EvaluateAsync(newcomer, [], CancellationToken.None);
        Assert.Null(governance.Card);
        Assert.Equal(hot.Score.Model, governance.Serving);
        Assert.Equal(("roofing", 3, 120, 1.0), (governance.IndustryPool!.Industry, governance.IndustryPool.Businesses, governance.IndustryPool.Decided, governance.IndustryPool.PoolWeight));
        Assert.Equal(roofing.ValidationAuc, governance.IndustryPool.ValidationAuc);
        Assert.Contains("roofing industry's pool of 3 businesses", Assert.Single(governance.Retrain.Reasons), StringComparison.Ordinal);
        var plumbing = await services.Get<ModelGovernanceService>().EvaluateAsync(plumber, [], CancellationToken.None);
        Assert.Equal(("rules", null), (plumbing.Serving, plumbing.IndustryPool));
    }

    [Fact]
    public async Task A_pool_that_loses_its_third_business_is_no_longer_served()
    {
        var electricians = new List<Guid>();
        for (var b = 0; b < 3; b++)
        {
            electricians.Add(await BusinessWithHistoryAsync("electrical", 20 + b));
        }

        var builder = services.Get<IndustryPoolBuilder>();
        await builder.RebuildAsync([.. electricians.Select(t => new PoolMember(t, "electrical"))], CancellationToken.None);
        Assert.Contains("electrical", (await StoredPoolsAsync()).Keys);

        var rebuilt = await builder.RebuildAsync([.. electricians.Take(2).Select(t => new PoolMember(t, "electrical"))], CancellationToken.None);

        Assert.False(rebuilt.Single().Kept);
        Assert.DoesNotContain("electrical", (await StoredPoolsAsync()).Keys);
        var lead = await CreateLeadAsync(electricians[0], "Referral", "Premium", "after");
        Assert.StartsWith("rules-", lead.Score!.Model, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_business_that_opts_out_keeps_its_outcomes_out_of_the_pool_from_the_next_rebuild()
    {
        var landscapers = new List<Guid>();
        for (var b = 0; b < 4; b++)
        {
            landscapers.Add(await BusinessWithHistoryAsync("landscaping", 40 + b));
        }

        var builder = services.Get<IndustryPoolBuilder>();
        var members = landscapers.Select(t => new PoolMember(t, "landscaping")).ToList();
        Assert.Equal((4, 160), Figures(Assert.Single(await builder.RebuildAsync(members, CancellationToken.None))));

        var settings = services.Get<ScoringSettingsService>();
        var optedOut = await settings.UpdateAsync(landscapers[0], new ScoringSettingsUpdate(null, null, null, null, null, SharesWithIndustryPool: false),
            "owner@test", RequestOrigin.None, CancellationToken.None);
        Assert.False(optedOut.Value!.SharesWithIndustryPool);
        Assert.True((await settings.GetAsync(landscapers[1], CancellationToken.None)).SharesWithIndustryPool);

        Assert.Equal((3, 120), Figures(Assert.Single(await builder.RebuildAsync(members, CancellationToken.None))));
        var governance = await services.Get<ModelGovernanceService>().EvaluateAsync(landscapers[1], [], CancellationToken.None);
        Assert.Equal((3, 120), (governance.IndustryPool!.Businesses, governance.IndustryPool.Decided));

        await settings.UpdateAsync(landscapers[1], new ScoringSettingsUpdate(null, null, null, null, null, SharesWithIndustryPool: false),
            "owner@test", RequestOrigin.None, CancellationToken.None);
        var belowThree = Assert.Single(await builder.RebuildAsync(members, CancellationToken.None));
        Assert.False(belowThree.Kept);
        Assert.DoesNotContain("landscaping", (await StoredPoolsAsync()).Keys);

        static (int Businesses, int Decided) Figures(PoolRebuild rebuild) => (rebuild.Businesses, rebuild.Decided);
    }

    // 40 decided leads: referrals on the premium plan mostly won, web leads on the basic plan mostly lost.
    private async Task<Guid> BusinessWithHistoryAsync(string industry, int seed)
    {
        var tenant = await BusinessAsync(industry);
        var leads = services.Get<LeadService>();
        for (var i = 0; i < 40; i++)
        {
            var referral = i % 2 == 0;
            var lead = await CreateLeadAsync(tenant, referral ? "Referral" : "Web", referral ? "Premium" : "Basic", $"pool-{seed}-{i}");
            var won = referral ? i % 8 != 0 : i % 10 == 1;
            var changed = await leads.UpdateAsync(new LeadActor(tenant, "test", true), lead.Id,
                new LeadUpdate(Empty, new OutcomeInput(won ? "won" : "lost", won ? "1200.00" : null, won ? "USD" : null, won ? null : "price")), CancellationToken.None);
            Assert.True(changed.Succeeded, changed.Problem?.Detail);
        }

        return tenant;
    }

    private static readonly LeadInput Empty = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    private async Task<Guid> BusinessAsync(string industry)
    {
        var slug = $"pool-{Guid.NewGuid():N}"[..20];
        var created = await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Pool", slug, industry, new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        return created.Value!.Tenant.Id;
    }

    private async Task<Lead> CreateLeadAsync(Guid tenant, string source, string plan, string externalId)
    {
        var attributes = new Dictionary<string, JsonElement>
        {
            ["Plan"] = JsonSerializer.SerializeToElement(plan),
            ["Customer Code"] = JsonSerializer.SerializeToElement($"Customer {externalId}"),
        };
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput("Ann", null, "Ann's Roofs", null, null, source, externalId, "62701", "IL", "Springfield", null, null, attributes, null, null),
            false, CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.Detail);
        return created.Value.Lead;
    }

    private async Task<Dictionary<string, string>> StoredPoolsAsync()
    {
        await using var connection = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        return (await connection.QueryAsync<(string Industry, string Features)>("SELECT industry, features::text FROM scoring_industry_pools"))
            .ToDictionary(p => p.Industry, p => p.Features);
    }
}
