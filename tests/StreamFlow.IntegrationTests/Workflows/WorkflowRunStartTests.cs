using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Workflows;
using StreamFlow.IntegrationTests.Reports;
using static StreamFlow.IntegrationTests.Workflows.WorkflowTestRecords;

namespace StreamFlow.IntegrationTests.Workflows;

/// <summary>
/// Issue #16: a run's leading steps are taken by the host that claims it, before the durable engine sees the run. The
/// in-process durable hosts of these tests serve no work outbox, so a run handed over goes no further here: what
/// these tests see done was done in process.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WorkflowRunStartTests(TestServices services)
{
    [Fact]
    public async Task A_run_of_immediate_steps_is_completed_by_the_host_that_claims_it()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, """
            {"name":"Welcome","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"addNote","body":"Welcomed"},{"type":"addNote","body":"Told the team"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Wanda");

        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);

        var run = await RunAsync(bed, tenantId, workflowId);
        Assert.Equal("completed", run.Run.Status);
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], run.Steps.Select(s => s.Path));
        Assert.All(run.Steps, s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Welcomed"));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Told the team"));
    }

    [Fact]
    public async Task A_run_begun_by_a_host_that_died_before_handing_it_over_is_claimed_again_and_takes_no_step_twice()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, """
            {"name":"Nurture","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"addNote","body":"First touch"},{"type":"wait","minutes":60},{"type":"addNote","body":"Second touch"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Dieter");
        var runId = (await RunAsync(bed, tenantId, workflowId)).Run.Id;

        // The host that claimed the run took its first step and planned its wait, then died before the hand-over.
        Assert.Equal(WorkflowRunProgress.HandOver, await bed.Get<WorkflowRunner>().StartAsync(tenantId, runId, CancellationToken.None));
        var begun = await RunAsync(bed, tenantId, workflowId);
        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var handedOver = await RunAsync(bed, tenantId, workflowId);
        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);

        Assert.Equal("waiting", begun.Run.Status);
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], handedOver.Steps.Select(s => s.Path));
        Assert.Equal(begun.Steps[2].Input.GetProperty("dueAt").GetDateTimeOffset(), handedOver.Steps[2].Input.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "First touch"));
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "Second touch"));
        Assert.Equal("waiting", handedOver.Run.Status);
        Assert.Equal(handedOver.Steps.Select(s => (s.Path, s.Status, s.Attempts)), (await RunAsync(bed, tenantId, workflowId)).Steps.Select(s => (s.Path, s.Status, s.Attempts)));
    }

    [Fact]
    public async Task Runs_that_ended_before_the_retention_are_deleted_with_their_logs_and_waiting_or_recent_ones_stay()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var welcome = await SaveAsync(bed, tenantId, """
            {"name":"Welcome","enabled":true,"trigger":{"event":"lead.created"},"steps":[{"type":"addNote","body":"Welcomed"}]}
            """);
        var nurture = await SaveAsync(bed, tenantId, """
            {"name":"Nurture","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"addNote","body":"First touch"},{"type":"wait","minutes":60},{"type":"addNote","body":"Second touch"}]}
            """);
        await CreateLeadAsync(bed, tenantId, "Olga");
        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var old = (await RunAsync(bed, tenantId, welcome)).Run.Id;
        var waiting = (await RunAsync(bed, tenantId, nurture)).Run.Id;

        bed.Clock.Advance(TimeSpan.FromDays(91));
        await CreateLeadAsync(bed, tenantId, "Nina");
        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var runs = bed.Get<WorkflowRunService>();
        var purged = await runs.PurgeEndedRunsAsync(tenantId, bed.Clock.GetUtcNow() - TimeSpan.FromDays(90), CancellationToken.None);
        var again = await runs.PurgeEndedRunsAsync(tenantId, bed.Clock.GetUtcNow() - TimeSpan.FromDays(90), CancellationToken.None);
        var welcomeRuns = (await runs.ListAsync(tenantId, welcome, null, CancellationToken.None)).Value!.Items;
        var nurtureRuns = (await runs.ListAsync(tenantId, nurture, null, CancellationToken.None)).Value!.Items;

        Assert.Equal(1, purged);
        Assert.Equal(0, again);
        Assert.False((await runs.GetAsync(tenantId, old, CancellationToken.None)).Succeeded);
        Assert.Equal("completed", Assert.Single(welcomeRuns).Status);
        Assert.NotEqual(old, welcomeRuns[0].Id);
        Assert.Equal(2, nurtureRuns.Count);
        Assert.Contains(waiting, nurtureRuns.Select(r => r.Id));
        Assert.Equal(3, (await runs.GetAsync(tenantId, waiting, CancellationToken.None)).Value!.Steps.Length);
    }

    private static async Task<WorkflowRunDetail> RunAsync(ReportTestBed bed, Guid tenantId, Guid workflowId)
    {
        var runs = await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None);
        var run = Assert.Single(runs.Value!.Items);
        return (await bed.Get<WorkflowRunService>().GetAsync(tenantId, run.Id, CancellationToken.None)).Value!;
    }
}
