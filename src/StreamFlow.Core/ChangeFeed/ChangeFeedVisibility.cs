using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Core.ChangeFeed;

/// <summary>
/// Which permission lets a user see an event type on the live feed: the permission that reads the record the event is
/// about. An event family not named here is shown to owners and admins only (SettingsManage), never to everyone.
/// </summary>
public static class ChangeFeedVisibility
{
    private static readonly (string Prefix, Permission Permission)[] Families =
    [
        ("lead.", Permission.LeadsRead),
        ("task.", Permission.LeadsRead),
        ("quote.", Permission.FieldOpsManage),
        ("job.", Permission.FieldOpsManage),
        ("visit.", Permission.FieldOpsManage),
        ("timesheet.", Permission.FieldOpsManage),
        ("customer_invoice.", Permission.FieldOpsManage),
        ("rfp.", Permission.RfpsRead),
        ("invoice.", Permission.InvoicesRead),
        ("report.", Permission.ReportsRead),
        ("ai.", Permission.AiUsageRead),
        ("webhook.", Permission.WebhooksManage),
        ("integration.", Permission.ConnectionsManage),
        ("connection.", Permission.ConnectionsManage),
        ("workflow.", Permission.PipelineManage),
    ];

    public static Permission PermissionFor(string eventType)
    {
        foreach (var (prefix, permission) in Families)
        {
            if (eventType.StartsWith(prefix, StringComparison.Ordinal))
            {
                return permission;
            }
        }

        return Permission.SettingsManage;
    }

    public static bool MaySee(this ClientPrincipal principal, string eventType) => principal.Allows(PermissionFor(eventType));
}
