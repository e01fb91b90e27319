using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Tasks;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Core.Templates;

/// <summary>
/// Lists the industry templates and applies one to a business (docs/workflows.md, "Industry templates"). Applying is
/// idempotent and never overwrites what the business changed: every item a template put in is recorded, so an item
/// applied before is not touched again (not even when the business has since removed it), and an item the business
/// has of its own (a field or task template with the key, a workflow with the name, a setting it chose, stages it
/// edited) is kept. Workflows arrive disabled, so nothing runs until someone enables them. A preview computes the
/// same outcomes and writes nothing.
/// </summary>
public sealed class TemplateService(StreamFlowDatabase database, AuditLog audit, TimeProvider timeProvider)
{
    public const string KindStages = "stages";
    public const string KindCustomField = "customField";
    public const string KindTaskTemplate = "taskTemplate";
    public const string KindSetting = "setting";
    public const string KindWorkflow = "workflow";

    public static IndustryTemplateList List() => new([.. IndustryTemplateCatalog.All.Select(t =>
        new IndustryTemplateSummary(t.Id, t.Name, t.Description, t.Stages.Length, t.CustomFields.Length, t.TaskTemplates.Length, t.Workflows.Length))]);

    public static Result<IndustryTemplate> Get(string id) =>
        IndustryTemplateCatalog.Find(id) is { } template ? template : Problem.NotFound("The industry template");

    /// <summary>The business's task templates, by key.</summary>
    public Task<TaskTemplateList> TaskTemplatesAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => new TaskTemplateList([.. await TaskTemplateStore.ListAsync(scope)]), cancellationToken);

    /// <summary>Applies the template (<paramref name="write"/> false: the preview, nothing written), audited as <c>template.applied</c>.</summary>
    public async Task<Result<TemplateApplication>> ApplyAsync(
        Guid tenantId, string id, string actor, RequestOrigin origin, bool write, CancellationToken cancellationToken)
    {
        if (IndustryTemplateCatalog.Find(id) is not { } template)
        {
            return Problem.NotFound("The industry template");
        }

        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            await TemplateStore.LockAsync(scope, tenantId);
            var applied = (await TemplateStore.AppliedAsync(scope, template.Id)).ToDictionary(r => (r.Kind, r.Key));
            var items = new List<TemplateItemOutcome>();
            var application = new Application(scope, tenantId, template.Id, actor, now, write, applied, items);

            var stages = await application.StagesAsync(template);
            var fields = await application.CustomFieldsAsync(template);
            await application.TaskTemplatesAsync(template);
            await application.SettingsAsync(template);
            await application.WorkflowsAsync(template, stages, fields);

            var result = new TemplateApplication(template.Id, write, [.. items], now);
            if (write)
            {
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, "template.applied", $"tenant:{tenantId}", AuditOutcome.Succeeded, origin,
                    new JsonObject
                    {
                        ["template"] = template.Id,
                        ["added"] = items.Count(i => i.Outcome == "added"),
                        ["kept"] = items.Count(i => i.Outcome == "kept"),
                        ["skipped"] = items.Count(i => i.Outcome == "skipped"),
                        ["invalid"] = items.Count(i => i.Outcome == "invalid"),
                    }));
            }

            return Result<TemplateApplication>.Success(result);
        }, cancellationToken);
    }

    private sealed class Application(
        DbTransactionScope scope, Guid tenantId, string template, string actor, DateTimeOffset now, bool write,
        IReadOnlyDictionary<(string Kind, string Key), AppliedItemRow> applied, List<TemplateItemOutcome> items)
    {
        /// <summary>The stage keys the business will have once applied.</summary>
        public async Task<IReadOnlySet<string>> StagesAsync(IndustryTemplate industry)
        {
            var current = await PipelineStageStore.ListAsync(scope);
            var currentKeys = current.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            var templateKeys = industry.Stages.Select(s => s.Key).ToArray();
            if (applied.ContainsKey((KindStages, "pipeline")))
            {
                return Add(KindStages, "pipeline", "kept", "Applied before: the stages stay as the business has them.", currentKeys);
            }

            var tenant = await TenantStore.FindAsync(scope, tenantId);
            var untouched = current.Count == 0 || (tenant is not null && SameStages(current, DefaultPipelines.For(tenant.Industry)));
            if (!untouched)
            {
                return Add(KindStages, "pipeline", "kept", "The business has its own stages: they stay.", currentKeys);
            }

            var inUse = (await PipelineStageStore.StagesInUseAsync(scope)).Except(templateKeys).ToList();
            if (inUse.Count > 0)
            {
                return Add(KindStages, "pipeline", "kept", $"Leads are in the stages {string.Join(", ", inUse)}, which the template does not have: the stages stay.", currentKeys);
            }

            if (write)
            {
                await PipelineStageStore.DeleteAllExceptAsync(scope, templateKeys);
                for (var i = 0; i < industry.Stages.Length; i++)
                {
                    var stage = industry.Stages[i];
                    await PipelineStageStore.UpsertAsync(scope, tenantId, stage.Key, stage.Name, i + 1, stage.Kind);
                }

                await TemplateStore.RecordAsync(scope, tenantId, template, KindStages, "pipeline", null, actor, now);
            }

            return Add(KindStages, "pipeline", "added", $"The stages become {string.Join(", ", templateKeys)}.", templateKeys.ToHashSet(StringComparer.Ordinal));
        }

        /// <summary>The lead's custom fields once applied, by key.</summary>
        public async Task<IReadOnlyDictionary<string, CustomField>> CustomFieldsAsync(IndustryTemplate industry)
        {
            var fields = (await CustomFieldService.LeadFieldsAsync(scope)).ToDictionary(f => f.Key, StringComparer.Ordinal);
            foreach (var field in industry.CustomFields)
            {
                if (applied.ContainsKey((KindCustomField, field.Key)))
                {
                    Add(KindCustomField, field.Key, fields.ContainsKey(field.Key) ? "kept" : "skipped",
                        fields.ContainsKey(field.Key) ? "Applied before: the field stays as the business has it." : "Applied before and removed since: not brought back.");
                    continue;
                }

                if (fields.ContainsKey(field.Key))
                {
                    Add(KindCustomField, field.Key, "kept", "The business has a field with this key: it stays.");
                    continue;
                }

                var id = Guid.CreateVersion7();
                var options = field.Options ?? [];
                if (write)
                {
                    await CustomFieldService.InsertAsync(scope, tenantId, new CustomField(id, "lead", field.Key, field.Label, field.Type, field.Required, options, actor, now));
                    await TemplateStore.RecordAsync(scope, tenantId, template, KindCustomField, field.Key, id, actor, now);
                }

                fields[field.Key] = new CustomField(id, "lead", field.Key, field.Label, field.Type, field.Required, options, actor, now);
                Add(KindCustomField, field.Key, "added", $"{field.Label} ({field.Type}).", id: write ? id : null);
            }

            return fields;
        }

        public async Task TaskTemplatesAsync(IndustryTemplate industry)
        {
            var existing = (await TaskTemplateStore.ListAsync(scope)).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var task in industry.TaskTemplates)
            {
                if (applied.ContainsKey((KindTaskTemplate, task.Key)))
                {
                    Add(KindTaskTemplate, task.Key, existing.Contains(task.Key) ? "kept" : "skipped", "Applied before: not touched again.");
                }
                else if (existing.Contains(task.Key))
                {
                    Add(KindTaskTemplate, task.Key, "kept", "The business has a task template with this key: it stays.");
                }
                else
                {
                    if (write)
                    {
                        await TaskTemplateStore.InsertAsync(scope, tenantId, task, actor, now);
                        await TemplateStore.RecordAsync(scope, tenantId, template, KindTaskTemplate, task.Key, null, actor, now);
                    }

                    Add(KindTaskTemplate, task.Key, "added", $"{task.Title} ({task.Priority}).");
                }
            }
        }

        public async Task SettingsAsync(IndustryTemplate industry)
        {
            var stored = await TenantSettingsService.StoredKeysAsync(scope);
            var chosen = new JsonObject();
            foreach (var (key, value) in new (string Key, object? Value)[] { ("businessHours", industry.Settings.BusinessHours), ("reports", industry.Settings.Reports) })
            {
                if (value is null)
                {
                    continue;
                }

                if (applied.ContainsKey((KindSetting, key)) || stored.Keys.Contains(key))
                {
                    Add(KindSetting, key, "kept", applied.ContainsKey((KindSetting, key)) ? "Applied before: not touched again." : "The business chose its own: it stays.");
                    continue;
                }

                chosen[key] = JsonSerializer.SerializeToNode(value, StreamFlowJson.Options);
                Add(KindSetting, key, "added", $"Set to the template's {key}.");
            }

            if (write && chosen.Count > 0)
            {
                await TenantSettingsService.WriteKeysAsync(scope, tenantId, stored.TimeZone, chosen, now);
                foreach (var key in chosen.Select(p => p.Key))
                {
                    await TemplateStore.RecordAsync(scope, tenantId, template, KindSetting, key, null, actor, now);
                }
            }
        }

        public async Task WorkflowsAsync(IndustryTemplate industry, IReadOnlySet<string> stages, IReadOnlyDictionary<string, CustomField> fields)
        {
            var references = await WorkflowService.ReferencesAsync(scope, stages, fields, industry.TaskTemplates.Select(t => t.Key));
            foreach (var workflow in industry.Workflows)
            {
                var definition = workflow.Definition with { Enabled = false };
                if (applied.TryGetValue((KindWorkflow, workflow.Key), out var before))
                {
                    var exists = before.TargetId is { } target && await TemplateStore.WorkflowExistsAsync(scope, target);
                    Add(KindWorkflow, workflow.Key, exists ? "kept" : "skipped",
                        exists ? "Applied before: the workflow stays as the business has it." : "Applied before and removed since: not brought back.", before.TargetId);
                    continue;
                }

                if (await TemplateStore.WorkflowNamedAsync(scope, definition.Name!))
                {
                    Add(KindWorkflow, workflow.Key, "kept", $"The business has a workflow named \"{definition.Name}\": it stays.");
                    continue;
                }

                if (WorkflowService.Check(definition, references) is { } problem)
                {
                    var reasons = problem.Errors is { Count: > 0 } errors ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : problem.Detail;
                    Add(KindWorkflow, workflow.Key, "invalid", $"Not applied: {reasons}");
                    continue;
                }

                Guid? id = null;
                if (write)
                {
                    id = (await WorkflowService.InsertAsync(scope, tenantId, actor, definition, now)).Id;
                    await TemplateStore.RecordAsync(scope, tenantId, template, KindWorkflow, workflow.Key, id, actor, now);
                }

                Add(KindWorkflow, workflow.Key, "added", $"\"{definition.Name}\", disabled: enable it to run it.", id);
            }
        }

        private T Add<T>(string kind, string key, string outcome, string detail, T value)
        {
            items.Add(new TemplateItemOutcome(kind, key, outcome, detail));
            return value;
        }

        private void Add(string kind, string key, string outcome, string detail, Guid? id = null) =>
            items.Add(new TemplateItemOutcome(kind, key, outcome, detail, id));

        private static bool SameStages(IReadOnlyList<PipelineStage> current, IReadOnlyList<PipelineStage> defaults) =>
            current.Count == defaults.Count
            && current.OrderBy(s => s.Position).Zip(defaults.OrderBy(s => s.Position))
                .All(pair => pair.First.Key == pair.Second.Key && pair.First.Name == pair.Second.Name && pair.First.Kind == pair.Second.Kind);
    }
}
