using Dapper;
using Npgsql;
using StreamFlow.Core.Ai;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiUsageTests(TestServices services)
{
    [Fact]
    public async Task A_tenant_never_reads_another_tenants_usage()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 70", promptTokens: 30, completionTokens: 10);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var owner = await host.CreateTenantAsync();
        var other = await host.CreateTenantAsync();
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(owner, "Score this lead."), CancellationToken.None);
        var today = DateOnly.FromDateTime(host.Time.GetUtcNow().UtcDateTime);

        var otherReport = await host.Usage.GetTenantUsageAsync(other, today, today, CancellationToken.None);
        var ownerReport = await host.Usage.GetTenantUsageAsync(owner, today, today, CancellationToken.None);
        var otherSeesDirectly = await host.InTenantAsync<long>(other, "SELECT count(*) FROM ai_usage WHERE tenant_id = @owner", new { owner });
        var otherCanInsertForOwner = await Assert.ThrowsAsync<PostgresException>(() => host.InTenantAsync<int>(other, """
            INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd,
                                  markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
            VALUES (gen_random_uuid(), @owner, 'scoring', 'm', 'd', 0, 0, 0, 0, 0, 0, false, false, 0, 'succeeded', now())
            """, new { owner }));

        Assert.Empty(otherReport.Value!.Rows);
        Assert.Equal(1, ownerReport.Value!.Rows.Single().Calls);
        Assert.Equal(0L, otherSeesDirectly);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, otherCanInsertForOwner.SqlState);
    }

    [Fact]
    public async Task A_tenants_usage_is_grouped_by_day_feature_and_model()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 70", promptTokens: 30, completionTokens: 10);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        var firstDay = DateOnly.FromDateTime(host.Time.GetUtcNow().UtcDateTime);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score lead 1."), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score lead 2."), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "What is new?", feature: AiFeatures.Assistant), CancellationToken.None);
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score lead 3."), CancellationToken.None);

        var report = (await host.Usage.GetTenantUsageAsync(tenant, firstDay, firstDay.AddDays(1), CancellationToken.None)).Value!;

        Assert.Equal(
            [(firstDay, "assistant", 1L), (firstDay, "scoring", 2L), (firstDay.AddDays(1), "scoring", 1L)],
            report.Rows.Select(row => (row.Day, row.Feature, row.Calls)));
        Assert.All(report.Rows, row => Assert.Equal(AiGatewayHost.Model, row.Model));
        Assert.Equal(2 * 10L, report.Rows[1].OutputTokens);
        Assert.Equal(report.Rows.Sum(row => row.BillableUsd), report.TotalBillableUsd);
    }

    [Fact]
    public async Task The_provider_reads_per_tenant_sums_across_tenants_through_the_aggregate_function_only()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 70", promptTokens: 30, completionTokens: 10);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var first = await host.CreateTenantAsync();
        var second = await host.CreateTenantAsync();
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(first, "Score lead 1."), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score lead 2."), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score lead 3."), CancellationToken.None);
        var today = DateOnly.FromDateTime(host.Time.GetUtcNow().UtcDateTime);

        var report = (await host.Usage.GetProviderUsageAsync(today, today, CancellationToken.None)).Value!;
        var rowsWithoutTenant = await host.Database.InPlatformAsync(
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM ai_usage")), CancellationToken.None);

        var mine = report.Rows.Where(row => row.TenantId == first || row.TenantId == second).OrderBy(row => row.Calls).ToList();
        Assert.Equal([(first, 1L), (second, 2L)], mine.Select(row => (row.TenantId, row.Calls)));
        Assert.All(mine, row => Assert.True(row.CostUsd > 0m));
        Assert.Equal(0L, rowsWithoutTenant);
    }

    [Fact]
    public async Task The_application_cannot_rewrite_the_ledger()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 70");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);

        var update = await Assert.ThrowsAsync<PostgresException>(() => host.InTenantAsync<int>(tenant, "UPDATE ai_usage SET cost_usd = 0"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => host.InTenantAsync<int>(tenant, "DELETE FROM ai_usage"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
    }
}
