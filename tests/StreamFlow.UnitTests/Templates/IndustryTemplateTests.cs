using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Templates;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Workflows;

namespace StreamFlow.UnitTests.Templates;

/// <summary>Issue #16: every industry template is whole, and its workflows pass the checks a save makes.</summary>
public sealed class IndustryTemplateTests
{
    public static TheoryData<string> Industries() => [.. StreamFlow.Core.Tenancy.Industries.All];

    [Fact]
    public void Every_industry_has_a_template_and_every_template_an_industry()
    {
        Assert.Equal(Core.Tenancy.Industries.All.Order(), IndustryTemplateCatalog.All.Select(t => t.Id).Order());
    }

    [Theory]
    [MemberData(nameof(Industries))]
    public void The_workflows_of_a_template_pass_the_save_time_checks_against_its_own_stages_and_fields(string industry)
    {
        var template = IndustryTemplateCatalog.Find(industry)!;
        var fields = template.CustomFields.ToDictionary(
            f => f.Key, f => new CustomField(Guid.NewGuid(), "lead", f.Key, f.Label, f.Type, f.Required, f.Options ?? [], "template", DateTimeOffset.UnixEpoch));
        var references = new WorkflowReferences(template.Stages.Select(s => s.Key).ToHashSet(), new HashSet<Guid>(), fields,
            template.TaskTemplates.Select(t => t.Key).ToHashSet());

        Assert.NotEmpty(template.Workflows);
        foreach (var workflow in template.Workflows)
        {
            var problem = WorkflowService.Check(workflow.Definition, references);
            Assert.True(problem is null, $"{industry}/{workflow.Key}: {problem?.Detail} {string.Join("; ", problem?.Errors?.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}") ?? [])}");
        }
    }

    [Theory]
    [MemberData(nameof(Industries))]
    public void A_template_has_a_valid_pipeline_fields_task_templates_and_settings(string industry)
    {
        var template = IndustryTemplateCatalog.Find(industry)!;

        Assert.Equal(1, template.Stages.Count(s => s.Kind == StageKind.Won));
        Assert.Equal(1, template.Stages.Count(s => s.Kind == StageKind.Lost));
        Assert.Equal(template.Stages.Length, template.Stages.Select(s => s.Key).Distinct().Count());
        Assert.All(template.CustomFields, f => Assert.Contains(f.Type, CustomFieldRules.Types));
        Assert.All(template.CustomFields.Where(f => f.Type is "choice" or "multiChoice"), f => Assert.NotEmpty(f.Options!));
        Assert.Equal(template.CustomFields.Length, template.CustomFields.Select(f => f.Key).Distinct().Count());
        Assert.All(template.TaskTemplates, t => Assert.Contains(t.Priority, new[] { "low", "normal", "high", "urgent" }));
        Assert.Equal(template.Workflows.Length, template.Workflows.Select(w => w.Key).Distinct().Count());
        var errors = new StreamFlow.Core.Kernel.ValidationErrors();
        TenantSettingsValidation.Validate(new TenantSettingsChange(null, null, null, template.Settings.BusinessHours, null, template.Settings.Reports), errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToProblem()?.Errors?.Select(e => e.Key) ?? []));
    }

    [Fact]
    public void A_template_workflow_that_refers_to_a_field_the_business_lacks_fails_the_checks()
    {
        var roofing = IndustryTemplateCatalog.Find("roofing")!;
        var storm = roofing.Workflows.Single(w => w.Key == "storm-damage-inspection");
        var bare = new WorkflowReferences(new HashSet<string> { "new", "won", "lost" }, new HashSet<Guid>(), new Dictionary<string, CustomField>(), new HashSet<string>());

        var problem = WorkflowService.Check(storm.Definition, bare);

        Assert.NotNull(problem);
        Assert.Contains("steps[0].stage", problem.Errors!.Keys);
    }
}
