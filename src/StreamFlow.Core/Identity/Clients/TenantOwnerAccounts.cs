using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>Creates a new client business's owner as an active user with the owner role.</summary>
internal sealed class TenantOwnerAccounts(PasswordHasher passwords) : ITenantOwnerAccounts
{
    public void Validate(TenantOwner owner, ValidationErrors errors)
    {
        UserValidation.Email(errors, "owner.email", owner.Email);
        errors.Required("owner.name", owner.Name, 200);
        UserValidation.NewPassword(errors, "owner.password", owner.Password);
    }

    public PreparedTenantOwner Prepare(TenantOwner owner) =>
        new(owner.Email!.Trim().ToLowerInvariant(), owner.Name!.Trim(), passwords.Hash(owner.Password!));

    public Task InsertAsync(DbTransactionScope scope, Guid tenantId, Guid ownerId, PreparedTenantOwner owner, DateTimeOffset now) =>
        UserStore.InsertAsync(scope, new NewUser(ownerId, tenantId, owner.Email, owner.Name, ClientRole.Owner, "active", owner.PasswordHash, now));
}
