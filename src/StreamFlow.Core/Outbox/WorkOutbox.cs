using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Outbox;

/// <summary>The kinds of durable work a request can leave in the outbox; the dispatcher's starter knows how to start each.</summary>
public static class WorkKinds
{
    /// <summary>Re-score a lead with the AI signal (the request already answered with rules + model).</summary>
    public const string LeadAiRescore = "lead.ai-rescore";

    /// <summary>Run an accepted lead import (subject: the import id).</summary>
    public const string LeadImport = "lead.import";

    /// <summary>Train the tenant's conversion model (subject: the training run id).</summary>
    public const string ModelTraining = "scoring.train";

    /// <summary>Analyse an uploaded RFP (subject: the RFP id).</summary>
    public const string RfpAnalysis = "rfp.analyze";

    /// <summary>Run a queued workflow run (subject: the run id).</summary>
    public const string WorkflowRun = "workflow.run";

    /// <summary>Stop the orchestration of a cancelled workflow run (subject: the run id).</summary>
    public const string WorkflowRunCancel = "workflow.run.cancel";

    /// <summary>Wake a workflow run waiting on a condition about its lead, which changed (subject: the run id).</summary>
    public const string WorkflowRunWake = "workflow.run.wake";

    /// <summary>
    /// Start the delivery orchestration of a webhook delivery's current round (subject: the delivery id): a resend, a
    /// recovery or a test event. The round is read when it starts; a delivery no longer pending is not started.
    /// </summary>
    public const string WebhookDelivery = "webhook.deliver";
}

/// <summary>
/// One claimed row: start <see cref="Kind"/> for <see cref="SubjectId"/> of <see cref="TenantId"/>. A platform operation
/// (<see cref="PlatformOperations"/>) has no tenant or subject: it carries its own <see cref="InstanceId"/> and <see cref="Input"/>.
/// </summary>
public sealed record WorkItem(long Id, Guid TenantId, string Kind, Guid SubjectId)
{
    /// <summary>A platform operation's orchestration instance id (null for a tenant's work row).</summary>
    public string? InstanceId { get; init; }

    /// <summary>A platform operation's orchestration input, as JSON (null for a tenant's work row).</summary>
    public string? Input { get; init; }

    public bool IsPlatform => InstanceId is not null;
}

/// <summary>
/// Durable work as rows of the caller's own tenant transaction (table <c>work_outbox</c>): committed exactly when the
/// change that needs it is, and started afterwards by <see cref="WorkOutboxDispatcher"/>, so that no request waits on the
/// durable backend and a crash after the commit loses nothing.
/// </summary>
public sealed class WorkOutbox(IOptions<WorkOutboxOptions> options)
{
    public const string NotificationChannel = "work_outbox";

    /// <summary>Adds work inside <paramref name="scope"/>, which must be <paramref name="tenantId"/>'s transaction.</summary>
    public Task AddAsync(DbTransactionScope scope, Guid tenantId, string kind, Guid subjectId)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        return WorkOutboxStore.InsertAsync(scope, options.Value.TaskHub, tenantId, kind, subjectId);
    }

    /// <summary>Adds one row of <paramref name="kind"/> per subject in one round trip, inside <paramref name="tenantId"/>'s transaction.</summary>
    public Task AddManyAsync(DbTransactionScope scope, Guid tenantId, string kind, IReadOnlyCollection<Guid> subjectIds)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(subjectIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        return subjectIds.Count == 0
            ? Task.CompletedTask
            : WorkOutboxStore.InsertManyAsync(scope, options.Value.TaskHub, tenantId, kind, subjectIds.ToArray());
    }
}
