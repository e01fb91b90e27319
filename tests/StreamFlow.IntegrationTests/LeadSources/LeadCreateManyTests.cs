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

    [Fact]
    public async Task A_lead_created_closed_has_the_history_activities_score_and_events_of_a_create_then_a_close()
    {
        var tenant = await CreateTenantAsync();
        var actor = new LeadActor(tenant, "connection:test", CanAssign: false);
        var leads = services.Get<LeadService>();
        var won = new OutcomeInput("won", "1250.50", "usd", null);
        var lost = new OutcomeInput("lost", null, null, " canceled at the source ");
        var oneAtATime = new List<Guid>();
        foreach (var (name, outcome) in new[] { ("Wes", won), ("Lou", lost) })
        {
            var created = await leads.CreateAsync(actor, Input(name, null), mergeDuplicate: false, default);
            var closed = await leads.UpdateAsync(actor, created.Value.Lead.Id, new LeadUpdate(Blank, outcome), default);
            Assert.True(closed.Succeeded, closed.Problem?.ToString());
            oneAtATime.Add(closed.Value!.Id);
        }

        var batch = await leads.CreateManyAsync(actor, [new LeadCreate(Input("Wes", null), won), new LeadCreate(Input("Lou", null), lost),
            new LeadCreate(Input("Bad", null), new OutcomeInput("won", "-5", "USD", null)), new LeadCreate(Input("Opal", null))], null, default);

        Assert.True(batch.Succeeded, batch.Problem?.ToString());
        Assert.Equal([true, true, false, true], batch.Value.Select(r => r.Succeeded));
        Assert.Contains("outcome.amount", batch.Value[2].Problem!.Errors!.Keys);
        Assert.Null(batch.Value[3].Value!.Outcome);
        for (var i = 0; i < 2; i++)
        {
            var expected = await SnapshotAsync(tenant, oneAtATime[i]);
            var actual = await SnapshotAsync(tenant, batch.Value[i].Value!.Id);
            Assert.Equal(expected, actual);
        }

        var lostLead = batch.Value[1].Value!;
        Assert.Equal(("lost", "canceled at the source", "scored"), (lostLead.Outcome!.Status, lostLead.Outcome.LostReason, lostLead.ScoreStatus));
        Assert.Equal(Money.Of(1250.50m, "USD"), batch.Value[0].Value!.Outcome!.Value);
    }

    [Fact]
    public async Task Many_changes_in_one_transaction_each_leave_what_one_change_leaves_and_bad_ones_get_their_problem()
    {
        var tenant = await CreateTenantAsync();
        var actor = new LeadActor(tenant, "connection:test", CanAssign: false);
        var leads = services.Get<LeadService>();
        async Task<Guid> NewAsync(string name) => (await leads.CreateAsync(actor, Input(name, null), mergeDuplicate: false, default)).Value.Lead.Id;
        var moved = Blank with { City = "Round Rock", Attributes = new() { ["jobs"] = System.Text.Json.JsonSerializer.SerializeToElement(3) } };
        var won = new OutcomeInput("won", "80.00", "USD", null);
        var (singleMoved, singleWon) = (await NewAsync("Ann"), await NewAsync("Bo"));
        Assert.True((await leads.UpdateAsync(actor, singleMoved, new LeadUpdate(moved, null), default)).Succeeded);
        Assert.True((await leads.UpdateAsync(actor, singleWon, new LeadUpdate(Blank, won), default)).Succeeded);
        var (manyMoved, manyWon, wonWithoutOutcome) = (await NewAsync("Ann"), await NewAsync("Bo"), await NewAsync("Cy"));

        var batch = await leads.UpdateManyAsync(actor, [
            (manyMoved, new LeadUpdate(moved, null)), (manyWon, new LeadUpdate(Blank, won)), (Guid.NewGuid(), new LeadUpdate(Blank, null)),
            (wonWithoutOutcome, new LeadUpdate(Blank with { Stage = "won" }, null)),
        ], default);

        Assert.True(batch.Succeeded, batch.Problem?.ToString());
        Assert.Equal([true, true, false, false], batch.Value.Select(r => r.Succeeded));
        Assert.Equal((ProblemKind.NotFound, ProblemKind.Unprocessable), (batch.Value[2].Problem!.Kind, batch.Value[3].Problem!.Kind));
        Assert.Equal(("Round Rock", 3, 2), (batch.Value[0].Value!.City, batch.Value[0].Value!.Attributes.GetProperty("jobs").GetInt32(), batch.Value[0].Value!.Version));
        Assert.Equal(await SnapshotAsync(tenant, singleMoved), await SnapshotAsync(tenant, manyMoved));
        Assert.Equal(await SnapshotAsync(tenant, singleWon), await SnapshotAsync(tenant, manyWon));
        Assert.Null((await leads.GetAsync(tenant, wonWithoutOutcome, false, default)).Value!.Outcome);
    }

    private static readonly LeadInput Blank = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /// <summary>What a lead's writes left: its state, stage history, timeline kinds (with their data) and events, in a comparable form.</summary>
    private async Task<string> SnapshotAsync(Guid tenant, Guid leadId) =>
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, async scope =>
        {
            async Task<string> Rows(string sql) => string.Join(" | ", await scope.Connection.QueryAsync<string>(scope.Command(sql, new { Id = leadId, IdText = leadId.ToString() })));
            return string.Join("\n",
                await Rows("SELECT concat_ws(',', stage, outcome, won_amount, won_currency, lost_reason, outcome_at IS NOT NULL, score_status, first_name, city_sealed IS NOT NULL, encode(state_index, 'hex'), attributes::text) FROM leads WHERE id = @Id"),
                await Rows("SELECT concat_ws('>', coalesce(from_stage, '-'), to_stage, changed_by) FROM lead_stage_history WHERE lead_id = @Id ORDER BY id"),
                await Rows("SELECT DISTINCT concat_ws(':', kind, body, data::text, actor) FROM lead_activities WHERE lead_id = @Id ORDER BY 1"),
                await Rows("SELECT DISTINCT event_type FROM webhook_messages WHERE coalesce(payload->>'id', payload->>'leadId') = @IdText ORDER BY 1"));
        }, default);

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
