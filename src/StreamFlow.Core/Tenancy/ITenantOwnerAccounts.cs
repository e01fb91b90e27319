using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Tenancy;

/// <summary>
/// The owner's account of a new client business. Identity owns accounts (and depends on Tenancy), so tenant creation
/// reaches it through this seam: Tenancy validates and writes the tenant, Identity the owner, in one transaction.
/// </summary>
public interface ITenantOwnerAccounts
{
    void Validate(TenantOwner owner, ValidationErrors errors);

    /// <summary>Does the slow part (hashing the password) before the tenant's transaction opens.</summary>
    PreparedTenantOwner Prepare(TenantOwner owner);

    Task InsertAsync(DbTransactionScope scope, Guid tenantId, Guid ownerId, PreparedTenantOwner owner, DateTimeOffset now);
}

/// <summary>A validated owner, ready to write: trimmed, lower-cased e-mail and the password's hash, never the password.</summary>
public sealed record PreparedTenantOwner(string Email, string Name, string PasswordHash);
