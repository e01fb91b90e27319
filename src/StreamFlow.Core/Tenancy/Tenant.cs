namespace StreamFlow.Core.Tenancy;

public static class Industries
{
    public static IReadOnlyList<string> All { get; } =
        ["hvac", "plumbing", "electrical", "roofing", "landscaping", "government_contracting", "general"];
}

public static class TenantStatus
{
    public const string Active = "active";
    public const string Suspended = "suspended";
}

/// <summary>A client business as the provider sees it.</summary>
public sealed record Tenant(
    Guid Id,
    string Slug,
    string Name,
    string Industry,
    string Status,
    string? SuspendedReason,
    DateTimeOffset? SuspendedAt,
    int RequestsPerMinute,
    int UserRequestsPerMinute,
    DateTimeOffset CreatedAt);

public sealed record TenantOwner(string? Email, string? Name, string? Password);

/// <summary>
/// A new client business. <c>applyTemplate</c> (default true): apply the industry template of <c>industry</c> (stages,
/// custom fields, task templates, default settings, disabled workflows) as the business is created.
/// </summary>
public sealed record CreateTenantRequest(string? Name, string? Slug, string? Industry, TenantOwner? Owner, bool? ApplyTemplate = null);

public sealed record CreatedTenant(Tenant Tenant, Guid OwnerUserId);

public sealed record TenantPage(IReadOnlyList<Tenant> Items, string? NextCursor);

public sealed record RateLimitSettings(int? RequestsPerMinute, int? UserRequestsPerMinute);
