using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// Saves workflows: each save is a new version (the old ones stay readable), checked against the tenant's stages,
/// users and the email templates before it is kept, so that a reference that does not exist is a 422 at save time.
/// </summary>
public sealed class WorkflowService(StreamFlowDatabase database, LeadService leads, AuditLog audit, WorkOutbox workOutbox, TimeProvider timeProvider)
{
    public async Task<Result<Workflow>> CreateAsync(Guid tenantId, string actor, WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        if (WorkflowValidation.Shape(definition) is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (WorkflowValidation.References(definition, await WorkflowStore.ReferencesAsync(scope)) is { } unknown)
            {
                return unknown;
            }

            var row = await WorkflowStore.InsertAsync(scope, Parameters(Guid.CreateVersion7(), tenantId, actor, definition, now));
            await WorkflowStore.InsertVersionAsync(scope, tenantId, row);
            return Result<Workflow>.Success(View(row));
        }, cancellationToken);
    }

    /// <summary>Saves a new version of the workflow (enabling or disabling it is a save too).</summary>
    public async Task<Result<Workflow>> ReplaceAsync(Guid tenantId, string actor, Guid id, WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        if (WorkflowValidation.Shape(definition) is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await WorkflowStore.LockAsync(scope, id) is null)
            {
                return Problem.NotFound("The workflow");
            }

            if (WorkflowValidation.References(definition, await WorkflowStore.ReferencesAsync(scope)) is { } unknown)
            {
                return unknown;
            }

            var row = await WorkflowStore.ReplaceAsync(scope, Parameters(id, tenantId, actor, definition, now));
            await WorkflowStore.InsertVersionAsync(scope, tenantId, row);
            return Result<Workflow>.Success(View(row));
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes a workflow: it stops triggering at once (nothing queues a run of it after the commit) and leaves the list;
    /// its runs still in flight are cancelled with the reason in the same transaction (a step already under way finishes,
    /// nothing after it is taken or logged). Its versions and every run's log stay readable; audited as <c>workflow.deleted</c>.
    /// </summary>
    public async Task<Result<WorkflowDeletion>> DeleteAsync(Guid tenantId, string actor, Guid id, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await WorkflowStore.DeleteAsync(scope, id, actor, now) is not { } row)
            {
                return (Result<WorkflowDeletion>)Problem.NotFound("The workflow");
            }

            var cancelled = await WorkflowRunStore.CancelRunsAsync(scope, id,
                $"Cancelled: the workflow was deleted at {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} by {actor}.", now);
            // Their orchestrations are stopped after the commit, through the work outbox: no request waits on the durable backend.
            await workOutbox.AddManyAsync(scope, tenantId, WorkKinds.WorkflowRunCancel, [.. cancelled.Where(r => r.HandedOver).Select(r => r.Id)]);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, "workflow.deleted", $"workflow:{id}", AuditOutcome.Succeeded, origin,
                new JsonObject { ["name"] = row.Name, ["version"] = row.Version, ["cancelledRuns"] = cancelled.Count }));
            return new WorkflowDeletion(row.Id, row.Name, row.Version, now, actor, cancelled.Count);
        }, cancellationToken);
    }

    public Task<Result<Workflow>> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
            await WorkflowStore.GetAsync(scope, id) is { } row ? Result<Workflow>.Success(View(row)) : Problem.NotFound("The workflow"), cancellationToken);

    public Task<WorkflowList> ListAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => new WorkflowList((await WorkflowStore.ListAsync(scope)).Select(View).ToList()), cancellationToken);

    /// <summary>Every saved version, newest first.</summary>
    public Task<Result<WorkflowVersionList>> VersionsAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            if (await WorkflowStore.GetAsync(scope, id) is null)
            {
                return Problem.NotFound("The workflow");
            }

            var versions = await WorkflowStore.VersionsAsync(scope, id);
            return Result<WorkflowVersionList>.Success(
                new WorkflowVersionList(versions.Select(v => new WorkflowVersion(v.Version, Parse(v.Definition), v.SavedBy, v.SavedAt)).ToList()));
        }, cancellationToken);

    /// <summary>What a run would do now, against a real lead and a sample event, without doing any of it.</summary>
    public async Task<Result<WorkflowDryRun>> DryRunAsync(Guid tenantId, Guid id, WorkflowDryRunRequest request, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var (row, settings) = await database.InTenantAsync(tenantId,
            async scope => (await WorkflowStore.GetAsync(scope, id), await TenantSettingsService.ReadAsync(scope)), cancellationToken);
        if (row is null)
        {
            return Problem.NotFound("The workflow");
        }

        var workflow = View(row);
        JsonElement? lead = null;
        if (request.LeadId is { } leadId)
        {
            var found = await leads.GetAsync(tenantId, leadId, includeDeleted: false, cancellationToken);
            if (!found.Succeeded)
            {
                return Problem.Validation("leadId", "is not a lead of this business.");
            }

            lead = JsonSerializer.SerializeToElement(found.Value, StreamFlowJson.Options);
        }

        var data = request.Event ?? (workflow.Trigger.Event is { } type ? WebhookEventCatalog.Find(type)!.Example : JsonSerializer.SerializeToElement(new { }));
        if (data.ValueKind != JsonValueKind.Object)
        {
            return Problem.Validation("event", "must be the data object of the trigger's event.");
        }

        var context = new ConditionContext(data, lead, settings.Calendar(), now);
        var (triggered, checks) = WorkflowConditionEvaluator.Check(workflow.Conditions, context);
        var steps = triggered ? WorkflowDryRunPlanner.Plan(workflow.Steps, context) : [];
        return new WorkflowDryRun(workflow.Id, workflow.Version, triggered, checks, steps, settings.TimeZone, now);
    }

    /// <summary>What a definition may refer to in the tenant of <paramref name="scope"/>, with the stages, lead fields and task templates it will have.</summary>
    internal static async Task<WorkflowReferences> ReferencesAsync(
        DbTransactionScope scope, IReadOnlySet<string> stages, IReadOnlyDictionary<string, CustomField> fields, IEnumerable<string> taskTemplates)
    {
        var current = await WorkflowStore.ReferencesAsync(scope);
        return current with
        {
            Stages = stages, Attributes = fields,
            TaskTemplates = (current.TaskTemplates ?? new HashSet<string>()).Union(taskTemplates, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>The save-time checks: the shape (400), then the references (422).</summary>
    internal static Problem? Check(WorkflowDefinition definition, WorkflowReferences references) =>
        WorkflowValidation.Shape(definition) ?? WorkflowValidation.References(definition, references);

    /// <summary>Saves a checked definition as version 1 inside the caller's transaction.</summary>
    internal static async Task<Workflow> InsertAsync(DbTransactionScope scope, Guid tenantId, string actor, WorkflowDefinition definition, DateTimeOffset now)
    {
        var row = await WorkflowStore.InsertAsync(scope, Parameters(Guid.CreateVersion7(), tenantId, actor, definition, now));
        await WorkflowStore.InsertVersionAsync(scope, tenantId, row);
        return View(row);
    }

    private static object Parameters(Guid id, Guid tenantId, string actor, WorkflowDefinition definition, DateTimeOffset now) => new
    {
        Id = id, TenantId = tenantId, Name = definition.Name!.Trim(), Enabled = definition.Enabled ?? true,
        definition.Trigger!.Event, definition.Trigger.Schedule,
        Definition = JsonSerializer.Serialize(definition with { Name = definition.Name.Trim(), Enabled = definition.Enabled ?? true }, StreamFlowJson.Options),
        Actor = actor, Now = now,
    };

    private static WorkflowDefinition Parse(string json) => JsonSerializer.Deserialize<WorkflowDefinition>(json, StreamFlowJson.Options)!;

    private static Workflow View(WorkflowRow row)
    {
        var definition = Parse(row.Definition);
        return new Workflow(row.Id, row.Name, row.Enabled, row.Version, definition.Trigger!, definition.Conditions, definition.Steps ?? [],
            row.UpdatedBy, row.CreatedAt, row.UpdatedAt);
    }
}
