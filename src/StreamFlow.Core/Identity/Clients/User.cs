namespace StreamFlow.Core.Identity.Clients;

public static class UserStatus
{
    public const string Invited = "invited";
    public const string Active = "active";
    public const string Disabled = "disabled";
}

/// <summary>A client user as stored, secrets included: never returned from the API as is.</summary>
internal sealed record StoredUser
{
    public Guid Id { get; init; }

    public Guid TenantId { get; init; }

    public string Email { get; init; } = "";

    public string Name { get; init; } = "";

    public string Role { get; init; } = "";

    public string Status { get; init; } = "";

    public string? PasswordHash { get; init; }

    /// <summary>The TOTP secret sealed with the tenant's data key (<see cref="UserStore.OpenMfaSecret"/> opens it).</summary>
    public byte[]? MfaSecretSealed { get; init; }

    public bool MfaEnabled { get; init; }

    public string[] RecoveryCodeHashes { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public ClientRole ClientRole => ClientRoles.FromDatabase(Role);

    public UserView ToView() => new(Id, Email, Name, ClientRole, Status, MfaEnabled, CreatedAt);
}

internal sealed record NewUser(Guid Id, Guid TenantId, string Email, string Name, ClientRole Role, string Status, string? PasswordHash, DateTimeOffset Now);

/// <summary>A user as the API shows it.</summary>
public sealed record UserView(Guid Id, string Email, string Name, ClientRole Role, string Status, bool MfaEnabled, DateTimeOffset CreatedAt);

public sealed record UserPage(IReadOnlyList<UserView> Items, string? NextCursor);

/// <summary>
/// An authenticated client user, bound to one tenant and one session; or an integrator's API key (<see cref="ApiKey"/>),
/// which acts for the user who created it (<see cref="SessionId"/> is then the key's id) and only within its scopes.
/// </summary>
public sealed record ClientPrincipal(
    Guid TenantId, Guid UserId, Guid SessionId, string Email, ClientRole Role, int TenantRequestsPerMinute, int UserRequestsPerMinute,
    ClientApiKey? ApiKey = null)
{
    public string Actor => ApiKey is null ? $"user:{UserId}" : $"apikey:{ApiKey.Id}";

    /// <summary>What the role grants, narrowed to the key's scopes when the caller is an API key.</summary>
    public bool Allows(Permission permission) => Role.Allows(permission) && (ApiKey is null || ApiKey.Scopes.Contains(permission));
}

/// <summary>The API key a <see cref="ClientPrincipal"/> authenticated with.</summary>
public sealed record ClientApiKey(Guid Id, string Name, string Prefix, IReadOnlySet<Permission> Scopes, int RequestsPerMinute);
