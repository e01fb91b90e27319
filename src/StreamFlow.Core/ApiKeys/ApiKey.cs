using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Core.ApiKeys;

/// <summary>A new key: its name, the permissions it may use, and optionally its expiry and per-minute request limit.</summary>
public sealed record CreateApiKey(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt, int? RequestsPerMinute);

/// <summary>Rotation: the old key stays valid until <see cref="OldKeyValidUntil"/> (default 24 hours, at most 30 days; a time already past ends it at once).</summary>
public sealed record RotateApiKey(DateTimeOffset? OldKeyValidUntil, DateTimeOffset? ExpiresAt);

/// <summary>A key as lists show it: never the key itself. Status is active, expired or revoked.</summary>
public sealed record ApiKeyView(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, int RequestsPerMinute, string Status, Guid CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, Guid? ReplacedBy);

/// <summary>A key just created or rotated: <see cref="Key"/> is in this answer only.</summary>
public sealed record CreatedApiKey(ApiKeyView ApiKey, string Key);

public sealed record ApiKeyPage(IReadOnlyList<ApiKeyView> Items, string? NextCursor);

// Arrays come back as comma-joined text (array_to_string): permission names hold no commas, and Dapper's record
// constructors do not bind text[].
internal sealed record ApiKeyRow(
    Guid Id, string Name, string Prefix, string Scopes, int RequestsPerMinute, Guid CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, Guid? ReplacedBy)
{
    public string[] ScopeNames => Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public ApiKeyView ToView(DateTimeOffset now) =>
        new(Id, Name, Prefix, ScopeNames, RequestsPerMinute, RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : "active",
            CreatedBy, CreatedAt, ExpiresAt, LastUsedAt, RevokedAt, ReplacedBy);
}

/// <summary>What authenticating a key reads in one statement: the key, its creator and its tenant.</summary>
internal sealed record ApiKeyLookup(
    Guid Id, string Name, string Prefix, byte[] KeyHash, string Scopes, int RequestsPerMinute, DateTimeOffset ExpiresAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, Guid UserId, string Email, string Role, string UserStatus,
    string TenantStatus, string? SuspendedReason, int TenantRequestsPerMinute, int UserRequestsPerMinute);

/// <summary>Which permissions a key may be given: any but a person's own account (Self) and the keys themselves.</summary>
public static class ApiKeyScopes
{
    private static readonly HashSet<Permission> NotGrantable = [Permission.Self, Permission.ApiKeysManage];

    public static IReadOnlyList<Permission> Grantable { get; } = [.. Enum.GetValues<Permission>().Where(p => !NotGrantable.Contains(p))];

    internal static HashSet<Permission> Parse(IEnumerable<string> stored) =>
        [.. stored.Select(s => Enum.TryParse<Permission>(s, out var p) ? p : (Permission?)null).OfType<Permission>().Where(p => !NotGrantable.Contains(p))];

    internal static IReadOnlyList<Permission> Validate(IReadOnlyList<string>? requested, ClientRole creatorRole, Kernel.ValidationErrors errors)
    {
        if (requested is null || requested.Count == 0)
        {
            errors.Add("scopes", "needs at least one permission.");
            return [];
        }

        var scopes = new SortedSet<Permission>();
        foreach (var name in requested)
        {
            if (string.IsNullOrWhiteSpace(name) || !char.IsAsciiLetter(name[0]) || !Enum.TryParse<Permission>(name, ignoreCase: true, out var permission))
            {
                errors.Add("scopes", $"'{name}' is not a permission (see docs/permissions.md).");
            }
            else if (NotGrantable.Contains(permission))
            {
                errors.Add("scopes", $"{permission} cannot be given to an API key.");
            }
            else if (!creatorRole.Allows(permission))
            {
                errors.Add("scopes", $"{permission} is not held by your role ({creatorRole.ToDatabase()}); a key never holds more than its creator.");
            }
            else
            {
                scopes.Add(permission);
            }
        }

        return [.. scopes];
    }
}
