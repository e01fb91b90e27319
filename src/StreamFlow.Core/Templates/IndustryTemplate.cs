using StreamFlow.Core.Settings;
using StreamFlow.Core.Tasks;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Core.Templates;

/// <summary>A pipeline stage a template brings: key, name, kind (open, won, lost).</summary>
public sealed record TemplateStage(string Key, string Name, string Kind);

/// <summary>A custom field of a lead a template brings (the types of <see cref="CustomFieldRules.Types"/>).</summary>
public sealed record TemplateCustomField(string Key, string Label, string Type, bool Required = false, string[]? Options = null);

/// <summary>The settings a template fills in when the business has not chosen them: business hours, report preferences.</summary>
public sealed record TemplateSettings(WeeklyHours? BusinessHours, ReportPreferences? Reports);

/// <summary>A workflow a template brings, under a key of the template's own; applied disabled.</summary>
public sealed record TemplateWorkflow(string Key, WorkflowDefinition Definition);

/// <summary>
/// What a business of one trade starts with (docs/workflows.md, "Industry templates"): pipeline stages, custom fields,
/// task templates, default settings and workflows. The id is the tenant's industry value.
/// </summary>
public sealed record IndustryTemplate(
    string Id, string Name, string Description, TemplateStage[] Stages, TemplateCustomField[] CustomFields, TaskTemplate[] TaskTemplates,
    TemplateSettings Settings, TemplateWorkflow[] Workflows);

/// <summary>A template as the list shows it: what it is and how much it brings.</summary>
public sealed record IndustryTemplateSummary(string Id, string Name, string Description, int Stages, int CustomFields, int TaskTemplates, int Workflows);

public sealed record IndustryTemplateList(IndustryTemplateSummary[] Items);

/// <summary>
/// What applying did (or, previewed, would do) with one item of the template: <c>added</c>; <c>kept</c> (the business has
/// its own, or changed it, and it stays as it is); <c>skipped</c> (applied before and since removed by the business, so not
/// brought back); <c>invalid</c> (a workflow that refers to something this business does not have, with the reason).
/// </summary>
public sealed record TemplateItemOutcome(string Kind, string Key, string Outcome, string Detail, Guid? Id = null);

/// <summary>The result of applying a template (<c>applied</c> false: a preview, nothing written).</summary>
public sealed record TemplateApplication(string Template, bool Applied, TemplateItemOutcome[] Items, DateTimeOffset At);
