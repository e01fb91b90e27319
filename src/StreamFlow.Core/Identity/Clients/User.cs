namespace StreamFlow.Core.Identity.Clients;

public static class UserStatus
{
    public const string Invited = "invited";
    public const string Active = "active";
    public const string Disabled = "disabled";
}

/// <summary>A client user as stored, secrets included: never returned from the API as is.</summary>
internal sealed record StoredUser(
    Guid Id,
    Guid TenantId,
    string Email,
    string Name,
    string Role,
    string Status,
    string? PasswordHash,
    string? MfaSecret,
    bool MfaEnabled,
    string[] RecoveryCodeHashes,
    DateTimeOffset CreatedAt)
{
    public ClientRole ClientRole => ClientRoles.FromDatabase(Role);

    public UserView ToView() => new(Id, Email, Name, ClientRole, Status, MfaEnabled, CreatedAt);
}

internal sealed record NewUser(Guid Id, Guid TenantId, string Email, string Name, ClientRole Role, string Status, string? PasswordHash, DateTimeOffset Now);

/// <summary>A user as the API shows it.</summary>
public sealed record UserView(Guid Id, string Email, string Name, ClientRole Role, string Status, bool MfaEnabled, DateTimeOffset CreatedAt);

public sealed record UserPage(IReadOnlyList<UserView> Items, string? NextCursor);

/// <summary>An authenticated client user, bound to one tenant and one session.</summary>
public sealed record ClientPrincipal(Guid TenantId, Guid UserId, Guid SessionId, string Email, ClientRole Role, int TenantRequestsPerMinute, int UserRequestsPerMinute)
{
    public string Actor => $"user:{UserId}";
}
