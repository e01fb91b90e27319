using System.Text.Json;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// One run of a workflow: the version it is pinned to, what started it (a webhook event id, or <c>schedule:&lt;time&gt;</c>),
/// the lead it is about, how many automated steps caused it (depth), and where it stands: queued, dispatched, running,
/// waiting, completed, skipped (conditions did not hold, or the loop limit), failed (with the reason) or cancelled (its workflow
/// was deleted while it was in flight).
/// </summary>
public sealed record WorkflowRunSummary(
    Guid Id, Guid WorkflowId, int Version, string Trigger, string? EventType, Guid? LeadId, int Depth, string Status, string? Reason,
    DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FirstStepAt, DateTimeOffset? FinishedAt);

/// <summary>
/// What <c>DELETE /api/v1/workflows/{id}</c> did: the workflow as it was when deleted, and how many of its runs were
/// still in flight and are now <c>cancelled</c> (their logs, and every run's, stay readable).
/// </summary>
public sealed record WorkflowDeletion(Guid Id, string Name, int Version, DateTimeOffset DeletedAt, string DeletedBy, int CancelledRuns);

/// <summary>One step a run took: its path in the definition, what it was given, what it did, how many attempts it took.</summary>
public sealed record WorkflowRunStep(
    string Path, string Type, JsonElement Input, string Status, string? Result, int Attempts, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

/// <summary>A run and its log, in the order the steps were taken.</summary>
public sealed record WorkflowRunDetail(WorkflowRunSummary Run, WorkflowRunStep[] Steps);

/// <summary>A page of runs, newest first; <c>nextCursor</c> reads the next (older) page.</summary>
public sealed record WorkflowRunList(IReadOnlyList<WorkflowRunSummary> Items, string? NextCursor = null);

/// <summary>The data of <c>workflow.run.completed</c> and <c>workflow.run.failed</c>.</summary>
public sealed record WorkflowRunEvent(
    Guid RunId, Guid WorkflowId, string WorkflowName, int Version, string Trigger, string? EventType, Guid? LeadId, int Depth, string Status, string? Reason,
    DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset FinishedAt);

/// <summary>The data of <c>workflow.event</c>: an event of the business's own, named and filled by a workflow's sendEvent step.</summary>
public sealed record WorkflowOwnEvent(string Name, Guid WorkflowId, string WorkflowName, Guid RunId, Guid? LeadId, JsonElement Data, DateTimeOffset SentAt);

/// <summary>
/// What a run does once started: nothing (with the reason), or its pinned steps, with the engine's settings for them and
/// the due times of the waits already planned in process, by path (null when none).
/// </summary>
public sealed record WorkflowRunPlan(
    bool Proceed, string? Reason, WorkflowStep[] Steps, int StepAttempts = 3, TimeSpan? ConditionPollInterval = null,
    IReadOnlyDictionary<string, DateTimeOffset>? PlannedWaits = null);

/// <summary>
/// When a wait ends (a durable timer's due time); <c>Stop</c>: the run stops here, with the reason (a date wait whose date
/// is empty); <c>Carried</c>: the database's wake scheduler carries it (a short wait planned in process).
/// </summary>
public sealed record WorkflowWaitPlan(DateTimeOffset DueAt, string? Stop = null, bool Carried = false);

/// <summary>Where a run stands after a host took its steps in process.</summary>
public enum WorkflowRunProgress
{
    /// <summary>Over: completed, skipped, cancelled or gone; nothing more to do.</summary>
    Ended,

    /// <summary>Waiting on a short wait the database carries (<see cref="WorkflowOptions.ShortWaitHorizon"/>): the wake scheduler takes it on.</summary>
    WaitScheduled,

    /// <summary>The durable orchestration takes it on from its log (a branch, a long or conditional wait, a failing step).</summary>
    HandOver,
}

/// <summary>A run whose database-carried wait at <c>Path</c> a host has claimed (and woken): the steps after it are that host's to take.</summary>
public sealed record WorkflowDueWait(Guid TenantId, Guid RunId, string Path);
