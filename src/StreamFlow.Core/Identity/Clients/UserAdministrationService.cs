using System.Text.Json.Nodes;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Identity.Clients;

public sealed record InviteUserRequest(string? Email, string? Name, string? Role);

public sealed record UpdateUserRequest(string? Name, string? Role, string? Status);

/// <summary>
/// Owners and admins manage their tenant's users. Only owners grant or change the owner role, and the last active
/// owner can be neither removed, disabled nor demoted.
/// </summary>
public sealed class UserAdministrationService(
    StreamFlowDatabase database,
    TenantService tenants,
    PasswordResetService invitations,
    AuditLog audit,
    TimeProvider timeProvider,
    AccessChanges accessChanges)
{
    public Task<UserPage> ListAsync(ClientPrincipal principal, int limit, string? cursor, CancellationToken cancellationToken) =>
        database.InTenantAsync(principal.TenantId, async scope =>
        {
            Guid? after = Guid.TryParse(cursor, out var parsed) ? parsed : null;
            var users = await UserStore.PageAsync(scope, after, limit + 1);
            return new UserPage(users.Take(limit).Select(u => u.ToView()).ToList(), users.Count > limit ? users[limit - 1].Id.ToString() : null);
        }, cancellationToken);

    public async Task<Result<UserView>> GetAsync(ClientPrincipal principal, Guid userId, CancellationToken cancellationToken)
    {
        var user = await database.InTenantAsync(principal.TenantId, scope => UserStore.FindAsync(scope, userId), cancellationToken);
        return user is null ? Problem.NotFound("The user") : user.ToView();
    }

    public async Task<Result<UserView>> InviteAsync(ClientPrincipal principal, InviteUserRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        UserValidation.Email(errors, "email", request.Email);
        errors.Required("name", request.Name, 200);
        if (!ClientRoles.TryParse(request.Role, out var role))
        {
            errors.Add("role", "must be one of: owner, admin, manager, staff, employee.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        if (role == ClientRole.Owner && principal.Role != ClientRole.Owner)
        {
            return Problem.Forbidden("Only an owner can invite another owner.");
        }

        var tenant = (await tenants.GetAsync(principal.TenantId, cancellationToken)).Value!;
        var user = new NewUser(Guid.CreateVersion7(), principal.TenantId, request.Email!.Trim().ToLowerInvariant(), request.Name!.Trim(), role, UserStatus.Invited, null, timeProvider.GetUtcNow());
        StoredUser stored;
        try
        {
            stored = await database.InTenantAsync(principal.TenantId, async scope =>
            {
                await UserStore.InsertAsync(scope, user);
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "user.invited", $"user:{user.Id}", AuditOutcome.Succeeded, origin,
                    new JsonObject { ["role"] = role.ToDatabase() }));
                return (await UserStore.FindAsync(scope, user.Id))!;
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("A user with this email already exists in this business.");
        }

        await invitations.InviteAsync(tenant, stored, principal.Actor, origin, cancellationToken);
        return stored.ToView();
    }

    public async Task<Result<UserView>> UpdateAsync(ClientPrincipal principal, Guid userId, UpdateUserRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().MaxLength("name", request.Name, 200);
        if (request.Name is not null && string.IsNullOrWhiteSpace(request.Name))
        {
            errors.Add("name", "must not be empty.");
        }

        ClientRole? newRole = null;
        if (request.Role is not null)
        {
            if (ClientRoles.TryParse(request.Role, out var parsed))
            {
                newRole = parsed;
            }
            else
            {
                errors.Add("role", "must be one of: owner, admin, manager, staff, employee.");
            }
        }

        if (request.Status is not null && request.Status is not (UserStatus.Active or UserStatus.Disabled))
        {
            errors.Add("status", "must be active or disabled.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(principal, userId, origin, "user.updated", async (scope, target) =>
        {
            var touchesOwner = target.ClientRole == ClientRole.Owner || newRole == ClientRole.Owner;
            if (touchesOwner && principal.Role != ClientRole.Owner)
            {
                return Problem.Forbidden("Only an owner can change an owner or make someone an owner.");
            }

            var leavesOwnerRole = target.ClientRole == ClientRole.Owner && target.Status == UserStatus.Active
                && ((newRole is { } role && role != ClientRole.Owner) || request.Status == UserStatus.Disabled);
            if (leavesOwnerRole && await UserStore.CountActiveOwnersAsync(scope) <= 1)
            {
                return Problem.Conflict("This is the last owner: make someone else an owner first.");
            }

            var now = timeProvider.GetUtcNow();
            await UserStore.UpdateAsync(scope, userId, request.Name?.Trim(), newRole, request.Status, now);
            if (request.Status == UserStatus.Disabled)
            {
                await SessionStore.RevokeAllAsync(scope, userId, now);
            }

            return null;
        }, new JsonObject { ["role"] = newRole?.ToDatabase(), ["status"] = request.Status, ["nameChanged"] = request.Name is not null }, cancellationToken);
    }

    public async Task<Result<UserView>> RemoveAsync(ClientPrincipal principal, Guid userId, RequestOrigin origin, CancellationToken cancellationToken) =>
        await ChangeAsync(principal, userId, origin, "user.removed", async (scope, target) =>
        {
            if (target.ClientRole == ClientRole.Owner && principal.Role != ClientRole.Owner)
            {
                return Problem.Forbidden("Only an owner can remove an owner.");
            }

            if (target.ClientRole == ClientRole.Owner && target.Status == UserStatus.Active && await UserStore.CountActiveOwnersAsync(scope) <= 1)
            {
                return Problem.Conflict("This is the last owner and cannot be removed.");
            }

            await UserStore.DeleteAsync(scope, userId);
            return null;
        }, new JsonObject(), cancellationToken);

    private async Task<Result<UserView>> ChangeAsync(
        ClientPrincipal principal, Guid userId, RequestOrigin origin, string action,
        Func<DbTransactionScope, StoredUser, Task<Problem?>> change, JsonObject details, CancellationToken cancellationToken)
    {
        var outcome = await database.InTenantAsync(principal.TenantId, async scope =>
        {
            // Serializes changes to a tenant's users so that two owners cannot demote each other at the same moment.
            await UserStore.LockTenantUsersAsync(scope, principal.TenantId);
            var target = await UserStore.FindAsync(scope, userId);
            if (target is null)
            {
                return (Result<UserView>)Problem.NotFound("The user");
            }

            if (await change(scope, target) is { } refused)
            {
                return refused;
            }

            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, action, $"user:{userId}", AuditOutcome.Succeeded, origin, details));
            var after = await UserStore.FindAsync(scope, userId);
            return after?.ToView() ?? target.ToView() with { Status = "removed" };
        }, cancellationToken);
        accessChanges.Changed();
        return outcome;
    }
}
