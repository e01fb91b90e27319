using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Workflows;
using StreamFlow.IntegrationTests.Reports;
using static StreamFlow.IntegrationTests.Workflows.WorkflowTestRecords;

namespace StreamFlow.IntegrationTests.Workflows;

/// <summary>
/// Issue #16: the fresh runs of a claim are begun together, in one transaction (<see cref="WorkflowBatchStarter"/>), and
/// their logs read as if each had been begun alone (<see cref="WorkflowRunner.StartAsync"/>). The in-process durable
/// hosts of these tests serve no work outbox, so a run handed over goes no further here.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed partial class WorkflowBatchStartTests(TestServices services)
{
    // Not holding (skipped), a short wait (the database carries it), a conditional wait (handed over), an action first.
    private static readonly string[] Workflows =
    [
        """{"name":"Not new","enabled":true,"trigger":{"event":"lead.created"},"conditions":{"rules":[{"field":"lead.stage","operator":"ne","value":"new"}]},"steps":[{"type":"addNote","body":"Never"}]}""",
        """{"name":"Short wait","enabled":true,"trigger":{"event":"lead.created"},"conditions":{"rules":[{"field":"lead.stage","operator":"eq","value":"new"}]},"steps":[{"type":"wait","minutes":10},{"type":"addNote","body":"Followed up"}]}""",
        """{"name":"Until contacted","enabled":true,"trigger":{"event":"lead.created"},"steps":[{"type":"wait","minutes":60,"untilCondition":{"rules":[{"field":"lead.stage","operator":"ne","value":"new"}]}},{"type":"addNote","body":"Contacted"}]}""",
        """{"name":"Welcome","enabled":true,"trigger":{"event":"lead.created"},"steps":[{"type":"addNote","body":"Welcomed"},{"type":"wait","minutes":10}]}""",
    ];

    [Fact]
    public async Task Runs_begun_together_are_logged_as_runs_begun_one_by_one()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowIds = new List<Guid>();
        foreach (var workflow in Workflows)
        {
            workflowIds.Add(await SaveAsync(bed, tenantId, workflow));
        }

        var together = await CreateLeadAsync(bed, tenantId, "Tina");
        var togetherRuns = await RunIdsAsync(bed, tenantId, workflowIds, together);
        var batch = await bed.Get<WorkflowBatchStarter>().StartAsync(tenantId, [.. togetherRuns], CancellationToken.None);
        var again = await bed.Get<WorkflowBatchStarter>().StartAsync(tenantId, [.. togetherRuns], CancellationToken.None);
        foreach (var (runId, steps) in batch.BegunWithActions)
        {
            await bed.Get<WorkflowRunner>().ContinueStartAsync(tenantId, runId, steps, CancellationToken.None);
        }

        var alone = await CreateLeadAsync(bed, tenantId, "Alan");
        foreach (var runId in await RunIdsAsync(bed, tenantId, workflowIds, alone))
        {
            await bed.Get<WorkflowRunner>().StartAsync(tenantId, runId, CancellationToken.None);
        }

        Assert.Equal(togetherRuns.Take(3).Order(), batch.Settled.Order());
        Assert.Equal([togetherRuns[3]], batch.BegunWithActions.Keys);
        Assert.Empty(again.Settled);
        Assert.Empty(again.BegunWithActions);
        for (var i = 0; i < Workflows.Length; i++)
        {
            var runs = (await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowIds[i], null, CancellationToken.None)).Value!.Items;
            var byLead = runs.ToDictionary(r => r.LeadId!.Value);
            Assert.Equal(await LogAsync(bed, tenantId, byLead[alone].Id), await LogAsync(bed, tenantId, byLead[together].Id));
            Assert.Equal((byLead[alone].Status, byLead[alone].Reason), (byLead[together].Status, byLead[together].Reason));
        }

        Assert.Equal(["skipped", "waiting", "waiting", "waiting"], await Task.WhenAll(workflowIds.Select(async id =>
            (await bed.Get<WorkflowRunService>().ListAsync(tenantId, id, null, CancellationToken.None)).Value!.Items.Single(r => r.LeadId == together).Status)));
        Assert.Equal(1, await NotesAsync(bed, tenantId, together, "Welcomed"));
        Assert.Equal(0, await NotesAsync(bed, tenantId, together, "Never"));
    }

    [Fact]
    public async Task A_claim_begun_together_ends_its_short_waits_by_the_wake_scheduler_and_takes_each_step_once()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, Workflows[1]);
        var leads = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            leads.Add(await CreateLeadAsync(bed, tenantId, $"Lead {i}"));
        }

        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var waiting = (await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None)).Value!.Items;
        bed.Clock.Advance(TimeSpan.FromMinutes(10));
        var resumed = await bed.Get<WorkflowRunService>().ResumeDueWaitsAsync(CancellationToken.None, tenantId);
        var ended = (await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None)).Value!.Items;

        Assert.All(waiting, r => Assert.Equal("waiting", r.Status));
        Assert.Equal(20, resumed);
        Assert.All(ended, r => Assert.Equal("completed", r.Status));
        foreach (var run in ended)
        {
            var steps = (await bed.Get<WorkflowRunService>().GetAsync(tenantId, run.Id, CancellationToken.None)).Value!.Steps;
            Assert.Equal(["conditions", "steps[0]", "steps[1]"], steps.Select(s => s.Path));
            Assert.All(steps, s => Assert.Equal(("done", 1), (s.Status, s.Attempts)));
        }

        foreach (var leadId in leads)
        {
            Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Followed up"));
        }
    }

    [Fact]
    public async Task A_run_begun_together_by_a_host_that_died_before_its_first_action_is_resumed_from_its_log()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, Workflows[3]);
        var leadId = await CreateLeadAsync(bed, tenantId, "Dana");
        var runId = Assert.Single(await RunIdsAsync(bed, tenantId, [workflowId], leadId));

        // The host began the run together with its claim and died before the note.
        var batch = await bed.Get<WorkflowBatchStarter>().StartAsync(tenantId, [runId], CancellationToken.None);
        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var run = (await bed.Get<WorkflowRunService>().GetAsync(tenantId, runId, CancellationToken.None)).Value!;

        Assert.Equal([runId], batch.BegunWithActions.Keys);
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], run.Steps.Select(s => s.Path));
        Assert.Equal([("done", 1), ("done", 1), ("waiting", 1)], run.Steps.Select(s => (s.Status, s.Attempts)));
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Welcomed"));
    }

    [Fact]
    public async Task Runs_a_claim_cannot_take_one_by_one_go_back_to_the_queue_and_one_pass_takes_them_all()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        bed.Get<IOptions<WorkflowOptions>>().Value.InProcessConcurrency = 1; // 8 runs one by one per claim
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(bed, tenantId, """
            {"name":"Welcome","enabled":true,"trigger":{"event":"lead.created"},"steps":[{"type":"addNote","body":"Welcomed"}]}
            """);
        var leads = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            leads.Add(await CreateLeadAsync(bed, tenantId, $"Lead {i}"));
        }

        await bed.Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var runs = (await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None)).Value!.Items;

        Assert.Equal(20, runs.Count(r => r.Status == "completed"));
        foreach (var leadId in leads)
        {
            Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Welcomed"));
        }
    }

    // The log with the times taken out: each step's path, type, status, attempts, input and result.
    private static async Task<List<string>> LogAsync(ReportTestBed bed, Guid tenantId, Guid runId) =>
        [.. (await bed.Get<WorkflowRunService>().GetAsync(tenantId, runId, CancellationToken.None)).Value!.Steps
            .Select(s => $"{s.Path} {s.Type} {s.Status} {s.Attempts} {WithoutTimes(s.Input.GetRawText())} {WithoutTimes(s.Result ?? "")}")];

    private static string WithoutTimes(string text) => Instant().Replace(text, "<time>");

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex Instant();

    private static async Task<List<Guid>> RunIdsAsync(ReportTestBed bed, Guid tenantId, IEnumerable<Guid> workflowIds, Guid leadId)
    {
        var ids = new List<Guid>();
        foreach (var workflowId in workflowIds)
        {
            ids.Add((await bed.Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None)).Value!.Items.Single(r => r.LeadId == leadId).Id);
        }

        return ids;
    }
}
