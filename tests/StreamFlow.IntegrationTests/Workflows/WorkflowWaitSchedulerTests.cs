using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Workflows;
using StreamFlow.IntegrationTests.Reports;
using static StreamFlow.IntegrationTests.Workflows.WorkflowTestRecords;

namespace StreamFlow.IntegrationTests.Workflows;

/// <summary>
/// Issue #16: a short wait without a condition is carried by the database, and the steps after it are taken by the
/// wake scheduler of whichever host claims the run once it is due (<see cref="WorkflowRunService.ResumeDueWaitsAsync"/>).
/// The clock is the test's: a pass before the due time finds nothing, a pass after it resumes the run. Passes are kept
/// to the test's business, since other suites share the database. Nothing here depends on how fast anything runs.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WorkflowWaitSchedulerTests(TestServices services)
{
    private const string WaitThenNote = """
        {"name":"Follow up","enabled":true,"trigger":{"event":"lead.created"},
         "steps":[{"type":"wait","minutes":10},{"type":"addNote","body":"Followed up"},{"type":"wait","minutes":5},{"type":"addNote","body":"Followed up again"}]}
        """;

    [Fact]
    public async Task A_short_wait_ends_by_the_database_scheduler_and_each_step_after_it_is_taken_once()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, WaitThenNote);
        var leadId = await CreateLeadAsync(bed, tenantId, "Sam");
        var runs = bed.Get<WorkflowRunService>();

        await runs.DispatchQueuedAsync(CancellationToken.None);
        var planned = await RunAsync(bed, tenantId, workflowId);
        var early = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        bed.Clock.Advance(TimeSpan.FromMinutes(10));
        var first = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var between = await RunAsync(bed, tenantId, workflowId);
        var again = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var done = await RunAsync(bed, tenantId, workflowId);

        Assert.Equal("waiting", planned.Run.Status);
        Assert.Equal((0, 1, 0, 1), (early, first, again, second));
        Assert.Equal("waiting", between.Run.Status);
        Assert.Equal(["conditions", "steps[0]", "steps[1]", "steps[2]"], between.Steps.Select(s => s.Path));
        Assert.Equal("completed", done.Run.Status);
        Assert.Equal(["conditions", "steps[0]", "steps[1]", "steps[2]", "steps[3]"], done.Steps.Select(s => s.Path));
        Assert.All(done.Steps, s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
        Assert.StartsWith("Waited until ", done.Steps[1].Result);
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Followed up"));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Followed up again"));
    }

    [Fact]
    public async Task Two_hosts_resuming_the_same_due_waits_at_once_take_each_step_once()
    {
        var now = DateTimeOffset.UtcNow;
        using var one = new ReportTestBed(services, now);
        using var other = new ReportTestBed(services, now);
        var (tenantId, _) = await one.CreateTenantAsync();
        var workflowId = await SaveAsync(one, tenantId, """
            {"name":"Follow up","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":10},{"type":"addNote","body":"Followed up"}]}
            """);
        var leads = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            leads.Add(await CreateLeadAsync(one, tenantId, $"Lead {i}"));
        }

        await one.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        one.Clock.Advance(TimeSpan.FromMinutes(10));
        other.Clock.Advance(TimeSpan.FromMinutes(10));
        var resumed = await Task.WhenAll(
            Task.Run(() => one.Get<WorkflowRunService>().ResumeDueWaitsAsync(CancellationToken.None, tenantId)),
            Task.Run(() => other.Get<WorkflowRunService>().ResumeDueWaitsAsync(CancellationToken.None, tenantId)));

        var list = (await one.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None)).Value!.Items;
        Assert.Equal(40, resumed.Sum());
        Assert.Equal(40, list.Count(r => r.Status == "completed"));
        foreach (var leadId in leads)
        {
            Assert.Equal(1, await NotesAsync(one, tenantId, leadId, "Followed up"));
        }
    }

    [Fact]
    public async Task A_run_whose_host_died_between_the_claim_and_the_step_is_resumed_once_its_lease_runs_out()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, WaitThenNote);
        var leadId = await CreateLeadAsync(bed, tenantId, "Dora");
        var runs = bed.Get<WorkflowRunService>();
        await runs.DispatchQueuedAsync(CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(10));

        // The host claims the due run, ends its wait, and dies before the note.
        var claimed = Assert.Single(await runs.ClaimDueWaitsAsync(10, CancellationToken.None, tenantId));
        Assert.True(await bed.Get<WorkflowRunner>().EndWaitAsync(tenantId, claimed.RunId, claimed.Path, "Waited.", atDueTime: true, CancellationToken.None));
        var whileLeased = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var noteWhileLeased = await NotesAsync(bed, tenantId, leadId, "Followed up");
        bed.Clock.Advance(TimeSpan.FromSeconds(31));
        var afterLease = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var run = await RunAsync(bed, tenantId, workflowId);

        Assert.Equal("steps[0]", claimed.Path);
        Assert.Equal((0, 0, 1), (whileLeased, noteWhileLeased, afterLease));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Followed up"));
        Assert.Equal(["conditions", "steps[0]", "steps[1]", "steps[2]"], run.Steps.Select(s => s.Path));
        Assert.All(run.Steps.Take(3), s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
        Assert.Equal("Waited.", run.Steps[1].Result);
        Assert.Equal(("waiting", "waiting"), (run.Run.Status, run.Steps[3].Status));
    }

    [Fact]
    public async Task A_renewed_claim_of_a_wake_up_stays_the_host_s_beyond_its_first_lease_and_runs_out_once_renewals_stop()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, WaitThenNote);
        var leadId = await CreateLeadAsync(bed, tenantId, "Rena");
        var runs = bed.Get<WorkflowRunService>();
        await runs.DispatchQueuedAsync(CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(10));

        // The host wakes the run and holds it (its steps not yet taken), renewing the claim every 20 s.
        var woken = Assert.Single(await runs.WakeDueAsync(10, CancellationToken.None, tenantId));
        bed.Clock.Advance(TimeSpan.FromSeconds(20));
        var firstRenewal = await runs.RenewWakeClaimsAsync([woken], CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromSeconds(20));
        var secondRenewal = await runs.RenewWakeClaimsAsync([woken], CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromSeconds(20));
        // 60 s after the claim, twice its lease: still the host's, so no other pass takes the run.
        var whileRenewed = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var noteWhileRenewed = await NotesAsync(bed, tenantId, leadId, "Followed up");

        // The host dies: no renewal. After the lease, a renewal that comes too late renews nothing, and another pass resumes the run once.
        bed.Clock.Advance(TimeSpan.FromSeconds(31));
        var lateRenewal = await runs.RenewWakeClaimsAsync([woken], CancellationToken.None);
        var afterLease = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var again = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var run = await RunAsync(bed, tenantId, workflowId);

        Assert.Equal([woken.RunId], firstRenewal);
        Assert.Equal([woken.RunId], secondRenewal);
        Assert.Equal((0, 0), (whileRenewed, noteWhileRenewed));
        Assert.Empty(lateRenewal);
        Assert.Equal((1, 0), (afterLease, again));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Followed up"));
        Assert.Equal(["conditions", "steps[0]", "steps[1]", "steps[2]"], run.Steps.Select(s => s.Path));
        Assert.All(run.Steps.Take(3), s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
        Assert.StartsWith("Waited until ", run.Steps[1].Result);
        Assert.Equal(("waiting", "waiting"), (run.Run.Status, run.Steps[3].Status));
    }

    [Fact]
    public async Task A_renewal_leaves_a_wake_up_whose_steps_were_taken_and_the_next_wait_claimable()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, WaitThenNote);
        await CreateLeadAsync(bed, tenantId, "Tom");
        var runs = bed.Get<WorkflowRunService>();
        await runs.DispatchQueuedAsync(CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(10));

        var woken = Assert.Single(await runs.WakeDueAsync(10, CancellationToken.None, tenantId));
        await runs.ContinueAfterWakeAsync(woken, CancellationToken.None);
        // A renewal that read the claim before its steps were taken must not claim the run's next wait.
        var renewed = await runs.RenewWakeClaimsAsync([woken], CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        var next = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var run = await RunAsync(bed, tenantId, workflowId);

        Assert.Empty(renewed);
        Assert.Equal(1, next);
        Assert.Equal("completed", run.Run.Status);
        Assert.All(run.Steps, s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
    }

    [Fact]
    public async Task Deleting_the_workflow_stops_a_wait_the_database_carries()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, WaitThenNote);
        var leadId = await CreateLeadAsync(bed, tenantId, "Cleo");
        var runs = bed.Get<WorkflowRunService>();
        await runs.DispatchQueuedAsync(CancellationToken.None);

        var deleted = await bed.Get<WorkflowService>().DeleteAsync(tenantId, "test", workflowId, new Core.Audit.RequestOrigin(null, null), CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(30));
        var resumed = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var run = await RunAsync(bed, tenantId, workflowId);

        Assert.True(deleted.Succeeded, deleted.Problem?.Detail);
        Assert.Equal(0, resumed);
        Assert.Equal("cancelled", run.Run.Status);
        Assert.Equal("waiting", run.Steps[1].Status);
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "Followed up"));
    }

    [Fact]
    public async Task Waits_beyond_the_horizon_or_with_a_condition_stay_durable_timers()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var longWait = await SaveAsync(bed, tenantId, """
            {"name":"Later","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":60},{"type":"addNote","body":"An hour on"}]}
            """);
        var conditional = await SaveAsync(bed, tenantId, """
            {"name":"Until contacted","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":5,"untilCondition":{"rules":[{"field":"lead.stage","operator":"ne","value":"new"}]}},
                      {"type":"addNote","body":"Checked"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Hugo");
        var runs = bed.Get<WorkflowRunService>();
        await runs.DispatchQueuedAsync(CancellationToken.None);

        bed.Clock.Advance(TimeSpan.FromMinutes(61));
        var resumed = await runs.ResumeDueWaitsAsync(CancellationToken.None, tenantId);

        Assert.Equal(0, resumed);
        Assert.Equal("waiting", (await RunAsync(bed, tenantId, longWait)).Run.Status);
        Assert.Equal("waiting", (await RunAsync(bed, tenantId, conditional)).Run.Status);
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "An hour on") + await NotesAsync(bed, tenantId, leadId, "Checked"));
    }

    private static async Task<WorkflowRunDetail> RunAsync(ReportTestBed bed, Guid tenantId, Guid workflowId)
    {
        var runs = await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None);
        var run = Assert.Single(runs.Value!.Items);
        return (await bed.Get<WorkflowRunService>().GetAsync(tenantId, run.Id, CancellationToken.None)).Value!;
    }
}
