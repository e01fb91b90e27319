using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.ApiKeys;

/// <summary>
/// Integrators' API keys: create (the key is returned once), list, revoke, rotate with an overlap, and authenticate a
/// presented key into a <see cref="ClientPrincipal"/> that acts for the key's creator within the key's scopes. docs/api-keys.md.
/// </summary>
public sealed class ApiKeyService(StreamFlowDatabase database, AuditLog audit, TimeProvider timeProvider)
{
    public const int DefaultRequestsPerMinute = 600;
    public const int MaxRequestsPerMinute = 10_000;
    public const string InvalidKey = "The API key is not valid, has expired or was revoked.";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3 * 365);
    public static readonly TimeSpan DefaultRotationOverlap = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxRotationOverlap = TimeSpan.FromDays(30);
    public static readonly TimeSpan LastUsedInterval = TimeSpan.FromMinutes(1);

    /// <summary>Creates a key for the caller's tenant; the caller must itself hold every scope it gives.</summary>
    public async Task<Result<CreatedApiKey>> CreateAsync(ClientPrincipal creator, CreateApiKey request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(request);
        var now = timeProvider.GetUtcNow();
        var errors = new ValidationErrors();
        errors.Required("name", request.Name?.Trim(), 100);
        var scopes = ApiKeyScopes.Validate(request.Scopes, creator.Role, errors);
        var expiresAt = ValidExpiry(request.ExpiresAt, now, errors);
        var requestsPerMinute = request.RequestsPerMinute ?? DefaultRequestsPerMinute;
        if (requestsPerMinute is < 1 or > MaxRequestsPerMinute)
        {
            errors.Add("requestsPerMinute", $"must be between 1 and {MaxRequestsPerMinute}.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var (key, prefix) = ApiKeyToken.Create(creator.TenantId);
        var id = Guid.CreateVersion7();
        var row = await database.InTenantAsync(creator.TenantId, async scope =>
        {
            var inserted = await ApiKeyStore.InsertAsync(scope, id, creator.TenantId, request.Name!.Trim(), prefix, ApiKeyToken.Hash(key),
                [.. scopes.Select(s => s.ToString())], creator.UserId, requestsPerMinute, now, expiresAt);
            await audit.AppendAsync(scope, Event(creator, "apikey.created", inserted, origin));
            return inserted;
        }, cancellationToken);
        return new CreatedApiKey(row.ToView(now), key);
    }

    /// <summary>The tenant's keys, newest first.</summary>
    public async Task<Result<ApiKeyPage>> ListAsync(Guid tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        Guid? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 64, out var key) || !Guid.TryParseExact(key, "N", out var id))
            {
                return Problem.Validation("cursor", Cursor.NotOurs);
            }

            after = id;
        }

        var now = timeProvider.GetUtcNow();
        var rows = await database.InTenantAsync(tenantId, scope => ApiKeyStore.ListAsync(scope, after, limit + 1), cancellationToken);
        var items = rows.Take(limit).Select(row => row.ToView(now)).ToList();
        return new ApiKeyPage(items, rows.Count > limit ? Cursor.Encode(items[^1].Id.ToString("N")) : null);
    }

    public async Task<Result<ApiKeyView>> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => ApiKeyStore.GetAsync(scope, id), cancellationToken);
        return row is null ? Problem.NotFound("The API key") : row.ToView(timeProvider.GetUtcNow());
    }

    /// <summary>Revokes a key at once; revoking a revoked key is a 404 like an unknown one.</summary>
    public async Task<Result<ApiKeyView>> RevokeAsync(ClientPrincipal caller, Guid id, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = timeProvider.GetUtcNow();
        var revoked = await database.InTenantAsync(caller.TenantId, async scope =>
        {
            var row = await ApiKeyStore.RevokeAsync(scope, id, now);
            if (row is not null)
            {
                await audit.AppendAsync(scope, Event(caller, "apikey.revoked", row, origin));
            }

            return row;
        }, cancellationToken);
        return revoked is null ? Problem.NotFound("The active API key") : revoked.ToView(now);
    }

    /// <summary>
    /// Issues a successor with the same name, scopes and limit; the old key keeps working until
    /// <see cref="RotateApiKey.OldKeyValidUntil"/> so that integrators can deploy the new one first.
    /// </summary>
    public async Task<Result<CreatedApiKey>> RotateAsync(ClientPrincipal caller, Guid id, RotateApiKey request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var now = timeProvider.GetUtcNow();
        var errors = new ValidationErrors();
        // A time already past ends the old key at once: the caller's clock is never exactly ours.
        var validUntil = request.OldKeyValidUntil is { } until && until < now ? now : request.OldKeyValidUntil ?? now + DefaultRotationOverlap;
        if (validUntil > now + MaxRotationOverlap)
        {
            errors.Add("oldKeyValidUntil", $"must be at most {MaxRotationOverlap.TotalDays:0} days from now.");
        }

        var expiresAt = ValidExpiry(request.ExpiresAt, now, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var (key, prefix) = ApiKeyToken.Create(caller.TenantId);
        var newId = Guid.CreateVersion7();
        return await database.InTenantAsync<Result<CreatedApiKey>>(caller.TenantId, async scope =>
        {
            var old = await ApiKeyStore.GetAsync(scope, id, forUpdate: true);
            if (old is null)
            {
                return Problem.NotFound("The API key");
            }

            if (old.RevokedAt is not null || old.ExpiresAt <= now || old.ReplacedBy is not null)
            {
                return Problem.Conflict("Only an active key that was not rotated before can be rotated.");
            }

            var scopeErrors = new ValidationErrors();
            var scopes = ApiKeyScopes.Validate(old.ScopeNames, caller.Role, scopeErrors);
            if (scopeErrors.ToProblem() is not null)
            {
                return Problem.Forbidden("The key holds permissions your role does not; a key never holds more than its creator.");
            }

            var successor = await ApiKeyStore.InsertAsync(scope, newId, caller.TenantId, old.Name, prefix, ApiKeyToken.Hash(key),
                [.. scopes.Select(s => s.ToString())], caller.UserId, old.RequestsPerMinute, now, expiresAt);
            await ApiKeyStore.SupersedeAsync(scope, old.Id, newId, validUntil);
            await audit.AppendAsync(scope, Event(caller, "apikey.rotated", old, origin, new JsonObject
            {
                ["successor"] = newId, ["successorPrefix"] = prefix, ["oldKeyValidUntil"] = validUntil,
            }));
            return new CreatedApiKey(successor.ToView(now), key);
        }, cancellationToken);
    }

    /// <summary>
    /// Resolves a presented key to the principal it acts as, refusing unknown, expired, revoked and orphaned keys.
    /// Every admitted call is audited under the key's name (<paramref name="target"/> says what was called);
    /// last use is written at most once a minute.
    /// </summary>
    public async Task<Result<ClientPrincipal>> AuthenticateAsync(string? key, string target, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (!ApiKeyToken.TryParse(key, out var tenantId, out var prefix))
        {
            await audit.RecordAsync(Refusal(null, "malformed", origin), cancellationToken);
            return Problem.Unauthorized(InvalidKey);
        }

        var now = timeProvider.GetUtcNow();
        var (lookup, reason) = await database.InTenantAsync(tenantId, async scope =>
        {
            var found = await ApiKeyStore.LookupAsync(scope, prefix);
            var refusal = found is null || !ApiKeyToken.Matches(key!, found.KeyHash) ? "unknown"
                : found.RevokedAt is not null ? "revoked"
                : found.ExpiresAt <= now ? "expired"
                : found.UserStatus != UserStatus.Active ? "creator_inactive"
                : null;
            if (refusal is not null)
            {
                return (found, refusal);
            }

            if (found!.LastUsedAt is null || now - found.LastUsedAt >= LastUsedInterval)
            {
                await ApiKeyStore.TouchAsync(scope, found.Id, now);
            }

            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, $"apikey:{found.Id}", "apikey.call", target,
                AuditOutcome.Succeeded, origin, new JsonObject { ["name"] = found.Name, ["prefix"] = found.Prefix }));
            return (found, (string?)null);
        }, cancellationToken);

        if (reason is not null)
        {
            await audit.RecordAsync(Refusal(reason == "unknown" ? null : tenantId, reason, origin, lookup), cancellationToken);
            return Problem.Unauthorized(InvalidKey);
        }

        if (lookup!.TenantStatus == TenantStatus.Suspended)
        {
            return Problem.Forbidden(ClientAuthService.SuspendedDetail(lookup.SuspendedReason));
        }

        var apiKey = new ClientApiKey(lookup.Id, lookup.Name, lookup.Prefix, ApiKeyScopes.Parse(lookup.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries)), lookup.RequestsPerMinute);
        return new ClientPrincipal(tenantId, lookup.UserId, lookup.Id, lookup.Email, ClientRoles.FromDatabase(lookup.Role),
            lookup.TenantRequestsPerMinute, lookup.UserRequestsPerMinute, apiKey);
    }

    private static DateTimeOffset ValidExpiry(DateTimeOffset? requested, DateTimeOffset now, ValidationErrors errors)
    {
        var expiresAt = requested ?? now + DefaultLifetime;
        if (expiresAt <= now || expiresAt > now + MaxLifetime)
        {
            errors.Add("expiresAt", $"must be in the future and at most {MaxLifetime.TotalDays:0} days from now.");
        }

        return expiresAt;
    }

    private static AuditEvent Event(ClientPrincipal actor, string action, ApiKeyRow key, RequestOrigin origin, JsonObject? details = null)
    {
        details ??= [];
        details["name"] = key.Name;
        details["prefix"] = key.Prefix;
        details["scopes"] = new JsonArray([.. key.ScopeNames.Select(s => JsonValue.Create(s))]);
        return new AuditEvent(AuditSystem.Client, actor.TenantId, actor.Actor, action, $"apikey:{key.Id}", AuditOutcome.Succeeded, origin, details);
    }

    private static AuditEvent Refusal(Guid? tenantId, string reason, RequestOrigin origin, ApiKeyLookup? key = null) =>
        new(AuditSystem.Client, tenantId, key is null ? "anonymous" : $"apikey:{key.Id}", "apikey.refused", null, AuditOutcome.Refused, origin,
            key is null ? new JsonObject { ["reason"] = reason } : new JsonObject { ["reason"] = reason, ["name"] = key.Name, ["prefix"] = key.Prefix });
}
