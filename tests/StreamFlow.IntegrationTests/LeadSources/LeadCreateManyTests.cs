using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>The batched write path of sync pages: each lead as one create would make it, in one transaction.</summary>
[Collection(ServicesCollection.Name)]
public sealed class LeadCreateManyTests(TestServices services)
{
    [Fact]
    public async Task Each_lead_gets_its_stage_history_activity_score_and_events_and_bad_or_duplicate_inputs_get_their_problem()
    {
        var tenant = await CreateTenantAsync();
        var actor = new LeadActor(tenant, "connection:test", CanAssign: false);
        var leads = services.Get<LeadService>();
        var existing = await leads.CreateAsync(actor, Input("Existing", "taken@example.com"), mergeDuplicate: false, default);
        Assert.True(existing.Succeeded);
        var inputs = new List<LeadInput>
        {
            Input("Ann", null), Input("Bo", "bo@example.com"), Input(null, "not-an-email"), Input("Cy", "taken@example.com"), Input("Di", "BO@example.com"), Input("Ed", null),
        };
        var linkedInTransaction = 0;

        var batch = await leads.CreateManyAsync(actor, inputs, (scope, created) =>
        {
            linkedInTransaction = created.Count;
            return Task.CompletedTask;
        }, default);

        Assert.True(batch.Succeeded, batch.Problem?.ToString());
        var results = batch.Value;
        Assert.Equal([true, true, false, false, false, true], results.Select(r => r.Succeeded));
        Assert.Equal(3, linkedInTransaction);
        Assert.Contains("email", results[2].Problem!.Errors!.Keys);
        Assert.Equal((ProblemKind.Conflict, ProblemKind.Conflict), (results[3].Problem!.Kind, results[4].Problem!.Kind));
        Assert.Equal(existing.Value.Lead.Id, results[3].Problem!.Extensions!["existingLeadId"]);
        Assert.Equal(results[1].Value!.Id, results[4].Problem!.Extensions!["existingLeadId"]);
        var ids = new[] { results[0].Value!.Id, results[1].Value!.Id, results[5].Value!.Id };
        Assert.All(ids.Select(id => results.First(r => r.Succeeded && r.Value!.Id == id).Value!), lead =>
        {
            Assert.Equal(("scored", "Web"), (lead.ScoreStatus, lead.Source));
            Assert.NotNull(lead.Score);
        });

        var (stageRows, createdActivities, scoredActivities, createdEvents, scoredEvents) = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, async scope =>
        {
            async Task<long> Count(string sql) => await scope.Connection.ExecuteScalarAsync<long>(scope.Command(sql, new { Ids = ids, IdTexts = ids.Select(i => i.ToString()).ToArray() }));
            return (await Count("SELECT count(*) FROM lead_stage_history WHERE lead_id = ANY(@Ids)"),
                await Count("SELECT count(*) FROM lead_activities WHERE lead_id = ANY(@Ids) AND kind = 'created' AND actor = 'connection:test'"),
                await Count("SELECT count(*) FROM lead_activities WHERE lead_id = ANY(@Ids) AND kind = 'scored'"),
                await Count("SELECT count(*) FROM webhook_messages WHERE event_type = 'lead.created' AND payload->>'id' = ANY(@IdTexts)"),
                await Count("SELECT count(*) FROM webhook_messages WHERE event_type = 'lead.scored' AND payload->>'leadId' = ANY(@IdTexts)"));
        }, default);
        Assert.Equal((3L, 3L, 3L, 3L, 3L), (stageRows, createdActivities, scoredActivities, createdEvents, scoredEvents));
    }

    [Fact]
    public async Task When_the_work_in_the_transaction_fails_no_lead_of_the_batch_stays()
    {
        var tenant = await CreateTenantAsync();
        var leads = services.Get<LeadService>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => leads.CreateManyAsync(new LeadActor(tenant, "test", false), [Input("Ann", null), Input("Bo", null)],
            (_, _) => throw new InvalidOperationException("linking failed"), default));

        var count = await services.Get<StreamFlowDatabase>().InTenantAsync(tenant,
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM leads")), default);
        Assert.Equal(0, count);
    }

    private static LeadInput Input(string? firstName, string? email) =>
        new(firstName, "Lee", null, email, null, "Web", null, "78701", "TX", "Austin", "US", null, null, null, null);

    private async Task<Guid> CreateTenantAsync()
    {
        var slug = $"many-{Guid.NewGuid():N}"[..20];
        var created = await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest($"Many {slug}", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        return created.Value!.Tenant.Id;
    }
}
