using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Outbox;

/// <summary>
/// The write path of issue #19: a lead is answered scored, and its durable work waits in the outbox for a dispatcher. On a
/// database of its own: a dispatcher claims every tenant's work, and a host of another test run would take these rows.
/// </summary>
public sealed class WorkOutboxDispatcherTests(ScratchDatabase services) : IClassFixture<ScratchDatabase>
{
    [Fact]
    public async Task A_created_lead_is_scored_in_its_own_transaction_and_its_ai_rescore_waits_in_the_outbox_only_with_ai_on()
    {
        var withAi = await TenantAsync(aiEnabled: true);
        var withoutAi = await TenantAsync(aiEnabled: false);

        var scored = await CreateLeadAsync(withAi, "Referral");
        await CreateLeadAsync(withoutAi, "Referral");

        Assert.Equal("scored", scored.ScoreStatus);
        Assert.NotNull(scored.Score);
        Assert.Contains(scored.Score.Tier, new[] { "hot", "warm", "cold" });
        Assert.NotEmpty(scored.Score.Factors);
        Assert.Equal([scored.Id], await WaitingWorkAsync(withAi));
        Assert.Empty(await WaitingWorkAsync(withoutAi));
    }

    [Fact]
    public async Task Work_committed_while_no_dispatcher_ran_is_started_by_the_first_one_of_its_task_hub_and_then_gone()
    {
        var tenant = await TenantAsync(aiEnabled: true);
        var leads = new[] { (await CreateLeadAsync(tenant, "Referral")).Id, (await CreateLeadAsync(tenant, "Website")).Id };
        var otherHub = new RecordingStarter();
        var starter = new RecordingStarter();

        await Dispatcher(batchSize: 100, lease: TimeSpan.FromMinutes(1), taskHub: "AnotherHub").DispatchPendingAsync(otherHub, CancellationToken.None);
        await Dispatcher(batchSize: 100, lease: TimeSpan.FromMinutes(1)).DispatchPendingAsync(starter, CancellationToken.None);

        Assert.Empty(otherHub.Started);
        Assert.Equal(leads.Order(), starter.Started.Where(i => i.TenantId == tenant).Select(i => i.SubjectId).Order());
        Assert.All(starter.Started.Where(i => i.TenantId == tenant), item => Assert.Equal(WorkKinds.LeadAiRescore, item.Kind));
        Assert.Empty(await WaitingWorkAsync(tenant));
    }

    [Fact]
    public async Task Two_dispatchers_at_once_never_start_the_same_work()
    {
        var tenant = await TenantAsync(aiEnabled: true);
        for (var i = 0; i < 6; i++)
        {
            await CreateLeadAsync(tenant, $"Source {i}");
        }

        var starter = new RecordingStarter(TimeSpan.FromMilliseconds(50));
        await Task.WhenAll(
            Dispatcher(batchSize: 2, lease: TimeSpan.FromMinutes(1)).DispatchPendingAsync(starter, CancellationToken.None),
            Dispatcher(batchSize: 2, lease: TimeSpan.FromMinutes(1)).DispatchPendingAsync(starter, CancellationToken.None));

        var mine = starter.Started.Where(i => i.TenantId == tenant).ToList();
        Assert.Equal(6, mine.Count);
        Assert.Equal(6, mine.Select(i => i.Id).Distinct().Count());
        Assert.Empty(await WaitingWorkAsync(tenant));
    }

    [Fact]
    public async Task Work_that_failed_to_start_stays_claimed_until_its_lease_runs_out_and_is_started_then()
    {
        var tenant = await TenantAsync(aiEnabled: true);
        var lead = (await CreateLeadAsync(tenant, "Referral")).Id;
        var dispatcher = Dispatcher(batchSize: 100, lease: TimeSpan.FromSeconds(1));

        await dispatcher.DispatchPendingAsync(new FailingStarter(), CancellationToken.None);
        var retriedAtOnce = new RecordingStarter();
        await dispatcher.DispatchPendingAsync(retriedAtOnce, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var retriedLater = new RecordingStarter();
        await dispatcher.DispatchPendingAsync(retriedLater, CancellationToken.None);

        Assert.DoesNotContain(retriedAtOnce.Started, i => i.SubjectId == lead);
        Assert.Contains(retriedLater.Started, i => i.SubjectId == lead);
        Assert.Empty(await WaitingWorkAsync(tenant));
    }

    private WorkOutboxDispatcher Dispatcher(int batchSize, TimeSpan lease, string? taskHub = null) =>
        new(services.Get<StreamFlowDatabase>(),
            Options.Create(new WorkOutboxOptions { BatchSize = batchSize, ClaimLease = lease, TaskHub = taskHub ?? services.Get<IOptions<WorkOutboxOptions>>().Value.TaskHub }),
            NullLogger<WorkOutboxDispatcher>.Instance);

    private async Task<Guid> TenantAsync(bool aiEnabled)
    {
        var slug = $"wo-{Guid.NewGuid():N}"[..20];
        var created = await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Outbox", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        var tenant = created.Value!.Tenant.Id;
        await services.Get<ScoringSettingsService>().UpdateAsync(tenant, new ScoringSettingsUpdate(null, null, aiEnabled, null, null), "test", RequestOrigin.None, CancellationToken.None);
        return tenant;
    }

    private async Task<Lead> CreateLeadAsync(Guid tenant, string source)
    {
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput("Ann", null, "Ann's Diner", null, null, source, null, null, "TX", null, null, null, null, null, null), false, CancellationToken.None);
        return created.Value.Lead;
    }

    private async Task<List<Guid>> WaitingWorkAsync(Guid tenant) =>
        (await services.Get<StreamFlowDatabase>().InTenantAsync(tenant,
            scope => scope.Connection.QueryAsync<Guid>(scope.Command("SELECT subject_id FROM work_outbox ORDER BY id")), CancellationToken.None)).ToList();

    private sealed class RecordingStarter(TimeSpan? delay = null) : IWorkStarter
    {
        public ConcurrentBag<WorkItem> Started { get; } = [];

        public async Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
        {
            if (delay is { } wait)
            {
                await Task.Delay(wait, cancellationToken);
            }

            foreach (var item in items)
            {
                Started.Add(item);
            }

            return items.Select(i => i.Id).ToList();
        }
    }

    private sealed class FailingStarter : IWorkStarter
    {
        public Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<long>>([]);
    }
}
