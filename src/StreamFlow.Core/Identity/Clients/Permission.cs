namespace StreamFlow.Core.Identity.Clients;

/// <summary>What a client route needs. docs/permissions.md is the written matrix; a test holds the code to it.</summary>
public enum Permission
{
    /// <summary>Any signed-in user: own profile, own sessions, own password and MFA.</summary>
    Self,
    UsersRead,
    UsersManage,
    AuditRead,
    SettingsManage,
    LeadsRead,
    LeadsWrite,
    LeadsAssign,
    LeadsDelete,
    LeadsRestore,
    LeadsImport,
    ScoringManage,
    PipelineManage,
    WebhooksManage,
    AiUse,
    AiUsageRead,
    ReportsRead,
    ReportsSend,
    InvoicesRead,
    RfpsRead,
    RfpsWrite,

    // Field operations (issue #13).
    /// <summary>Technicians, jobs, visits, dispatch, timesheet approval and field settings: the office.</summary>
    FieldOpsManage,

    /// <summary>One's own visits (status), punches and timesheets: the technician's phone.</summary>
    FieldWork,

    // Lead sources and integrator access (issue #20).
    ApiKeysManage,
    LeadSourcesManage,

    /// <summary>Connections to external systems (credentials, schedule, syncs): owners and admins.</summary>
    ConnectionsManage,

    /// <summary>Data-subject requests (export or erase a person's data, issue #15): owners and admins.</summary>
    PersonalDataRequests,

    /// <summary>Personal data unmasked in lead exports (issue #15): owners, admins and managers; others get it masked.</summary>
    PersonalDataRead,
}

public static class RolePermissions
{
    private static readonly Dictionary<ClientRole, HashSet<Permission>> Granted = new()
    {
        [ClientRole.Owner] = [.. Enum.GetValues<Permission>()],
        [ClientRole.Admin] = [.. Enum.GetValues<Permission>()],
        [ClientRole.Manager] =
        [
            Permission.Self, Permission.UsersRead, Permission.LeadsRead, Permission.LeadsWrite, Permission.LeadsAssign,
            Permission.LeadsDelete, Permission.LeadsImport, Permission.PipelineManage, Permission.AiUse,
            Permission.AiUsageRead, Permission.ReportsRead, Permission.ReportsSend, Permission.RfpsRead, Permission.RfpsWrite,
            Permission.FieldOpsManage, Permission.FieldWork, Permission.PersonalDataRead,
        ],
        [ClientRole.Staff] =
        [
            Permission.Self, Permission.LeadsRead, Permission.LeadsWrite, Permission.AiUse, Permission.ReportsRead,
            Permission.RfpsRead, Permission.RfpsWrite,
            Permission.FieldWork,
        ],
        [ClientRole.Employee] = [Permission.Self, Permission.LeadsRead, Permission.AiUse, Permission.FieldWork],
    };

    public static bool Allows(this ClientRole role, Permission permission) => Granted[role].Contains(permission);
}
