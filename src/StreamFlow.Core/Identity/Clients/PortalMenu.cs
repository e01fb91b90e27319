namespace StreamFlow.Core.Identity.Clients;

/// <summary>A section of a portal's navigation: shown to a caller whose role (and key scopes) grant its permission.</summary>
public sealed record MenuSection(string Key, string Title, string Path, Permission Permission);

/// <summary>
/// The navigation a portal built on the API shows, in order. Each section names the permission of the routes behind
/// it, so a menu never offers a page whose first request would answer 403.
/// </summary>
public static class PortalMenu
{
    public static IReadOnlyList<MenuSection> Sections { get; } =
    [
        new("leads", "Leads", "/api/v1/leads", Permission.LeadsRead),
        new("tasks", "Tasks", "/api/v1/tasks", Permission.LeadsRead),
        new("pipeline", "Pipeline", "/api/v1/pipeline/stages", Permission.LeadsRead),
        new("workflows", "Workflows", "/api/v1/workflows", Permission.PipelineManage),
        new("quotes", "Quotes", "/api/v1/quotes", Permission.FieldOpsManage),
        new("dispatch", "Jobs and dispatch", "/api/v1/jobs", Permission.FieldOpsManage),
        new("my-visits", "My visits and time", "/api/v1/visits", Permission.FieldWork),
        new("rfps", "RFP analysis", "/api/v1/rfps", Permission.RfpsRead),
        new("assistant", "AI assistant", "/api/v1/ai/assist", Permission.AiUse),
        new("reports", "Reports", "/api/v1/reports/summary", Permission.ReportsRead),
        new("invoices", "Invoices", "/api/v1/invoices", Permission.InvoicesRead),
        new("scoring", "Lead scoring", "/api/v1/scoring/model", Permission.LeadsRead),
        new("lead-sources", "Lead sources", "/api/v1/lead-sources/web-forms", Permission.LeadSourcesManage),
        new("connections", "Connections", "/api/v1/connections", Permission.ConnectionsManage),
        new("webhooks", "Webhooks", "/api/v1/webhooks/endpoints", Permission.WebhooksManage),
        new("api-keys", "API keys", "/api/v1/api-keys", Permission.ApiKeysManage),
        new("users", "Users", "/api/v1/users", Permission.UsersRead),
        new("audit", "Audit log", "/api/v1/audit", Permission.AuditRead),
        new("settings", "Settings", "/api/v1/settings", Permission.SettingsManage),
    ];

    public static IReadOnlyList<MenuSection> For(ClientPrincipal principal) =>
        [.. Sections.Where(section => principal.Allows(section.Permission))];

    public static IReadOnlyList<Permission> PermissionsOf(ClientPrincipal principal) =>
        [.. Enum.GetValues<Permission>().Where(principal.Allows)];
}
