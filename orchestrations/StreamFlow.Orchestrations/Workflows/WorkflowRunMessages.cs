using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

public sealed record WorkflowRunInput(Guid TenantId, Guid RunId);

public sealed record WorkflowStepRequest(Guid TenantId, Guid RunId, string Path, WorkflowStep Step);

public sealed record WorkflowConditionRequest(Guid TenantId, Guid RunId, string Path, WorkflowConditions? Conditions, bool Log);

/// <param name="AtDueTime">The wait ends because its due time came: it ends only if the clock says so (false: not yet).</param>
public sealed record WorkflowWaitEnd(Guid TenantId, Guid RunId, string Path, string Outcome, bool AtDueTime = false);

public sealed record WorkflowRunEnd(Guid TenantId, Guid RunId, string Status, string? Reason);
