namespace StreamFlow.Core.Workflows;

/// <summary>
/// The emails a workflow can send, by name. {{lead.firstName}}-style placeholders are filled from the lead when the
/// step runs; a tenant-editable template store is a later step (docs/workflows.md).
/// </summary>
internal static class WorkflowEmailTemplates
{
    private static readonly Dictionary<string, (string Subject, string Body)> Templates = new(StringComparer.Ordinal)
    {
        ["lead-not-contacted"] = ("Lead not contacted yet: {{lead.name}}", "The lead {{lead.name}} ({{lead.source}}) has not been contacted yet.\nLead: /api/v1/leads/{{lead.id}}\n"),
        ["lead-assigned"] = ("New lead for you: {{lead.name}}", "{{lead.name}} is now yours.\nLead: /api/v1/leads/{{lead.id}}\n"),
        ["workflow-summary"] = ("Workflow {{workflow.name}} ran", "The workflow {{workflow.name}} ran for {{lead.name}}.\n"),
    };

    public static IEnumerable<string> Names => Templates.Keys.Order(StringComparer.Ordinal);

    public static bool Exists(string name) => Templates.ContainsKey(name);
}
