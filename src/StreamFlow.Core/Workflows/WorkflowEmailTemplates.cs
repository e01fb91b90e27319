using StreamFlow.Core.Leads;

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

    /// <summary>The template's subject and body with the lead's and the workflow's values filled in.</summary>
    public static (string Subject, string Body) Render(string name, Lead? lead, string workflowName)
    {
        var (subject, body) = Templates[name];
        var leadName = lead is null ? "(no lead)" : string.Join(' ', new[] { lead.FirstName, lead.LastName }.Where(p => !string.IsNullOrWhiteSpace(p))) is { Length: > 0 } full
            ? full
            : lead.Company ?? "a lead";
        string Fill(string text) => text
            .Replace("{{lead.name}}", leadName, StringComparison.Ordinal)
            .Replace("{{lead.source}}", lead?.Source ?? "no source", StringComparison.Ordinal)
            .Replace("{{lead.id}}", lead?.Id.ToString() ?? "", StringComparison.Ordinal)
            .Replace("{{workflow.name}}", workflowName, StringComparison.Ordinal);
        return (Fill(subject), Fill(body));
    }
}
