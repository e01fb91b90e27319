namespace StreamFlow.Core.Identity.Clients;

/// <summary>The roles of a client business's users. Provider and developer are separate systems, never roles here.</summary>
public enum ClientRole
{
    Owner,
    Admin,
    Manager,
    Staff,
    Employee,
}

public static class ClientRoles
{
    public static string ToDatabase(this ClientRole role) => role.ToString().ToLowerInvariant();

    public static ClientRole FromDatabase(string value) => Enum.Parse<ClientRole>(value, ignoreCase: true);

    public static bool TryParse(string? value, out ClientRole role) =>
        Enum.TryParse(value, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(value, out _);
}
