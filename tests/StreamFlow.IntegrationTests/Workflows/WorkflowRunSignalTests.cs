using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Workflows;
using StreamFlow.Functions.Hosting;
using StreamFlow.IntegrationTests.Reports;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Outbox;
using StreamFlow.Orchestrations.Workflows;
using static StreamFlow.IntegrationTests.Workflows.WorkflowTestRecords;

namespace StreamFlow.IntegrationTests.Workflows;

/// <summary>
/// Issue #16: what the work outbox tells a run's orchestration after a commit (stop: its run was cancelled; wake up: the
/// lead it waits on changed), and an orchestration whose run is gone ending quietly. The real orchestrator and
/// activities run on an in-process durable host; the outbox is this class's own task hub, dispatched by the test. Waits
/// are an hour and the condition poll a day, so only the signal under test can end a wait within the test's limit.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WorkflowRunSignalTests(TestServices services) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly IConfiguration _configuration = new ConfigurationBuilder()
        .AddConfiguration(services.Configuration)
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WorkOutbox:TaskHub"] = $"WorkflowSignals{Guid.NewGuid():N}",
            ["WorkOutbox:ListenForNotifications"] = "false",
            ["Workflows:ListenForNotifications"] = "false",
            ["Workflows:ConditionPollInterval"] = "1.00:00:00",
        })
        .Build();

    private int _conditionChecks;
    private int _runsBegun;
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync() => _host = await DurableTestHosts.StartAsync(
        registry =>
        {
            registry.AddOrchestrator(TaskNames.WorkflowRun, () => new WorkflowRunOrchestrator());
            registry.AddActivity(TaskNames.BeginWorkflowRun, p => new CountedBegin(p.GetRequiredService<BeginWorkflowRunActivity>(), this));
            registry.AddActivity(TaskNames.PlanWorkflowWait, p => p.GetRequiredService<PlanWorkflowWaitActivity>());
            registry.AddActivity(TaskNames.CheckWorkflowCondition, p => new CountedCheck(p.GetRequiredService<CheckWorkflowConditionActivity>(), this));
            registry.AddActivity(TaskNames.EndWorkflowWait, p => p.GetRequiredService<EndWorkflowWaitActivity>());
            registry.AddActivity(TaskNames.RunWorkflowStep, p => p.GetRequiredService<RunWorkflowStepActivity>());
            registry.AddActivity(TaskNames.FinishWorkflowRun, p => p.GetRequiredService<FinishWorkflowRunActivity>());
        },
        new DurableTaskTestHostOptions { ConfigureServices = collection => collection.AddLogging().AddSingleton(_configuration).AddStreamFlowFunctions(_configuration) });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Deleting_the_workflow_terminates_its_waiting_orchestration_through_the_work_outbox()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(tenantId, """
            {"name":"Hour then note","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":60},{"type":"addNote","body":"Never written"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Terry");
        var runId = await StartRunAsync(tenantId, workflowId);
        // The claim marks the run waiting before its orchestration has begun; a run cancelled before that is skipped
        // by the orchestration itself (it completes), so the deletion waits for the orchestration to be at its timer.
        await WaitUntilAsync(async () => (await RunAsync(tenantId, runId)).Run.Status == "waiting" && Volatile.Read(ref _runsBegun) >= 1);

        var deletion = await Get<WorkflowService>().DeleteAsync(tenantId, "test", workflowId, new Core.Audit.RequestOrigin(null, null), CancellationToken.None);
        var signalled = await DispatchOutboxAsync();
        var ended = await WaitForEndAsync(runId);

        Assert.Equal(1, deletion.Value!.CancelledRuns);
        Assert.Equal(1, signalled);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, ended.RuntimeStatus);
        var run = await RunAsync(tenantId, runId);
        Assert.Equal("cancelled", run.Run.Status);
        Assert.Equal(["conditions", "steps[0]"], run.Steps.Select(s => s.Path));
        Assert.Equal("waiting", run.Steps[1].Status);
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "Never written"));
    }

    [Fact]
    public async Task A_change_to_the_lead_wakes_a_condition_wait_at_once_instead_of_at_its_next_poll()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(tenantId, """
            {"name":"Contacted within the hour","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":60,"untilCondition":{"rules":[{"field":"lead.stage","operator":"ne","value":"new"}]},
                       "onTimeout":[{"type":"addNote","body":"Timed out"}]},
                      {"type":"addNote","body":"Contacted in time"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Wendy");
        var runId = await StartRunAsync(tenantId, workflowId);
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref _conditionChecks) >= 1));

        var moved = await bed.Get<LeadService>().UpdateAsync(new LeadActor(tenantId, "test", CanAssign: true), leadId,
            new LeadUpdate(new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, "contacted", null), null), CancellationToken.None);
        var woken = await Get<WorkflowRunService>().PassOnWakesAsync(CancellationToken.None);
        var signalled = await DispatchOutboxAsync();
        var ended = await WaitForEndAsync(runId);

        Assert.True(moved.Succeeded, moved.Problem?.Detail);
        Assert.True(woken >= 1, "the lead's change marked the waiting run");
        Assert.True(signalled >= 1);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, ended.RuntimeStatus);
        Assert.Equal(2, Volatile.Read(ref _conditionChecks));
        var run = await RunAsync(tenantId, runId);
        Assert.Equal("completed", run.Run.Status);
        Assert.StartsWith("The condition held", run.Steps.Single(s => s.Path == "steps[0]").Result, StringComparison.Ordinal);
        Assert.Equal(1, await NotesAsync(bed, tenantId, leadId, "Contacted in time"));
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "Timed out"));
        Assert.Equal(0, await Get<WorkflowRunService>().PassOnWakesAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_orchestration_whose_run_was_deleted_meanwhile_ends_quietly_without_acting()
    {
        using var bed = new ReportTestBed(services, DateTimeOffset.UtcNow);
        var (tenantId, _) = await bed.CreateTenantAsync();
        var workflowId = await SaveAsync(tenantId, """
            {"name":"Gone","enabled":true,"trigger":{"event":"lead.created"},
             "steps":[{"type":"wait","minutes":60,"untilCondition":{"rules":[{"field":"lead.stage","operator":"ne","value":"new"}]}},
                      {"type":"addNote","body":"Never written"}]}
            """);
        var leadId = await CreateLeadAsync(bed, tenantId, "Gina");
        var runId = await StartRunAsync(tenantId, workflowId);
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref _conditionChecks) >= 1));

        // Cancelled with the orchestration left running (its stop not dispatched), then deleted as the retention would.
        await Get<WorkflowService>().DeleteAsync(tenantId, "test", workflowId, new Core.Audit.RequestOrigin(null, null), CancellationToken.None);
        var purged = await Get<WorkflowRunService>().PurgeEndedRunsAsync(tenantId, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        await _host.Client.RaiseEventAsync(InstanceId(runId), WorkflowRunOrchestrator.WakeEvent, "changed");
        var ended = await WaitForEndAsync(runId);

        Assert.True(purged >= 1);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, ended.RuntimeStatus);
        Assert.Equal("over", JsonSerializer.Deserialize<string>(ended.SerializedOutput!));
        Assert.False((await Get<WorkflowRunService>().GetAsync(tenantId, runId, CancellationToken.None)).Succeeded);
        Assert.Equal(0, await NotesAsync(bed, tenantId, leadId, "Never written"));
    }

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    private static string InstanceId(Guid runId) => $"workflow-run-{runId:N}";

    /// <summary>Claims the queued run (taking its leading steps in process) and starts its orchestration from this class's outbox.</summary>
    private async Task<Guid> StartRunAsync(Guid tenantId, Guid workflowId)
    {
        await Get<WorkflowRunService>().DispatchQueuedAsync(CancellationToken.None);
        var runs = await Get<WorkflowRunService>().ListAsync(tenantId, workflowId, null, CancellationToken.None);
        var runId = Assert.Single(runs.Value!.Items).Id;
        Assert.True(await DispatchOutboxAsync() >= 1);
        return runId;
    }

    private Task<int> DispatchOutboxAsync() =>
        Get<WorkOutboxDispatcher>().DispatchPendingAsync(new DurableWorkStarter(_host.Client, NullLogger.Instance), CancellationToken.None);

    private async Task<OrchestrationMetadata> WaitForEndAsync(Guid runId)
    {
        using var limit = new CancellationTokenSource(Limit);
        return await _host.Client.WaitForInstanceCompletionAsync(InstanceId(runId), getInputsAndOutputs: true, limit.Token);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the orchestration did not reach its wait within the test's limit");
            await Task.Delay(100);
        }
    }

    private async Task<Guid> SaveAsync(Guid tenantId, string json)
    {
        var saved = await Get<WorkflowService>().CreateAsync(
            tenantId, "test", JsonSerializer.Deserialize<WorkflowDefinition>(json, StreamFlowJson.Options)!, CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Problem is { } problem ? $"{problem.Detail} {JsonSerializer.Serialize(problem.Errors)}" : null);
        return saved.Value!.Id;
    }

    private async Task<WorkflowRunDetail> RunAsync(Guid tenantId, Guid runId) =>
        (await Get<WorkflowRunService>().GetAsync(tenantId, runId, CancellationToken.None)).Value!;

    /// <summary>The real condition check, counted: how many times the orchestration looked at its condition.</summary>
    private sealed class CountedCheck(CheckWorkflowConditionActivity inner, WorkflowRunSignalTests tests) : TaskActivity<WorkflowConditionRequest, bool>
    {
        public override async Task<bool> RunAsync(TaskActivityContext context, WorkflowConditionRequest input)
        {
            var holds = await inner.RunAsync(context, input);
            Interlocked.Increment(ref tests._conditionChecks);
            return holds;
        }
    }

    private sealed class CountedBegin(BeginWorkflowRunActivity inner, WorkflowRunSignalTests tests) : TaskActivity<WorkflowRunInput, WorkflowRunPlan>
    {
        public override async Task<WorkflowRunPlan> RunAsync(TaskActivityContext context, WorkflowRunInput input)
        {
            var plan = await inner.RunAsync(context, input);
            Interlocked.Increment(ref tests._runsBegun);
            return plan;
        }
    }
}
