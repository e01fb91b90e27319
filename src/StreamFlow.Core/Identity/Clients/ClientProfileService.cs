using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Identity.Clients;

public sealed record TenantSummary(Guid Id, string Name, string Slug);

/// <summary>
/// Who the caller is and what a portal may show them: the permissions their role grants and the menu sections behind
/// those permissions, so a front end draws its navigation from one request.
/// </summary>
public sealed record ClientProfile(
    Guid UserId, Guid TenantId, string Email, ClientRole Role, Guid SessionId, string Name, bool MfaEnabled,
    TenantSummary Tenant, IReadOnlyList<Permission> Permissions, IReadOnlyList<MenuSection> Menu);

public sealed class ClientProfileService(StreamFlowDatabase database)
{
    public async Task<Result<ClientProfile>> MeAsync(ClientPrincipal principal, CancellationToken cancellationToken)
    {
        var stored = await database.InTenantAsync(principal.TenantId, scope => ClientProfileStore.FindAsync(scope, principal.UserId), cancellationToken);
        return stored is null
            ? Problem.NotFound("The user")
            : new ClientProfile(
                principal.UserId, principal.TenantId, principal.Email, principal.Role, principal.SessionId, stored.Name, stored.MfaEnabled,
                new TenantSummary(principal.TenantId, stored.TenantName, stored.TenantSlug),
                PortalMenu.PermissionsOf(principal), PortalMenu.For(principal));
    }
}
