using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Core.Search;

/// <summary>A kind of record the universal search finds, the permission that reads it, and where the API serves it.</summary>
public sealed record SearchKind(string Name, Permission Permission, string Collection)
{
    public static IReadOnlyList<SearchKind> All { get; } =
    [
        new("lead", Permission.LeadsRead, "leads"),
        new("task", Permission.LeadsRead, "tasks"),
        new("quote", Permission.FieldOpsManage, "quotes"),
        new("job", Permission.FieldOpsManage, "jobs"),
        new("invoice", Permission.InvoicesRead, "invoices"),
        new("rfp", Permission.RfpsRead, "rfps"),
        new("user", Permission.UsersRead, "users"),
    ];

    public static SearchKind? Find(string name) => All.FirstOrDefault(kind => kind.Name == name);

    public string LinkTo(Guid id) => $"/api/v1/{Collection}/{id}";
}
