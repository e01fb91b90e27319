using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Tenancy;

/// <summary>The provider's management of client businesses: create with an owner, list, suspend, resume, limits.</summary>
public sealed partial class TenantService(StreamFlowDatabase database, ITenantOwnerAccounts owners, AuditLog audit, TimeProvider timeProvider, AccessChanges accessChanges)
{
    public async Task<Result<CreatedTenant>> CreateAsync(CreateTenantRequest request, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        var tenantId = Guid.CreateVersion7();
        var ownerId = Guid.CreateVersion7();
        var slug = request.Slug!.Trim();
        var owner = owners.Prepare(request.Owner!);
        var now = timeProvider.GetUtcNow();
        try
        {
            return await database.InTenantAsync(tenantId, async scope =>
            {
                await TenantStore.InsertAsync(scope, tenantId, slug, request.Name!.Trim(), request.Industry!.Trim().ToLowerInvariant(), now);
                await owners.InsertAsync(scope, tenantId, ownerId, owner, now);
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Provider, tenantId, actor, "tenant.created", $"tenant:{tenantId}", AuditOutcome.Succeeded, origin,
                    new JsonObject { ["slug"] = slug, ["ownerUserId"] = ownerId.ToString() }));
                var tenant = await TenantStore.FindAsync(scope, tenantId);
                return Result<CreatedTenant>.Success(new CreatedTenant(tenant!, ownerId));
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict($"A client business with the slug '{slug}' already exists.");
        }
    }

    public Task<TenantPage> ListAsync(int limit, string? cursor, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            Guid? after = Guid.TryParse(cursor, out var parsed) ? parsed : null;
            var rows = await TenantStore.PageAsync(scope, after, limit + 1);
            var next = rows.Count > limit ? rows[limit - 1].Id.ToString() : null;
            return new TenantPage(rows.Take(limit).ToList(), next);
        }, cancellationToken);

    /// <summary>Every active client business, for platform work that visits each tenant inside its own RLS transaction.</summary>
    public async Task<IReadOnlyList<Tenant>> ActiveAsync(CancellationToken cancellationToken)
    {
        var all = new List<Tenant>();
        string? cursor = null;
        do
        {
            var page = await ListAsync(500, cursor, cancellationToken);
            all.AddRange(page.Items.Where(t => t.Status == TenantStatus.Active));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public async Task<Result<Tenant>> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var tenant = await database.InPlatformAsync(scope => TenantStore.FindAsync(scope, tenantId), cancellationToken);
        return tenant is null ? Problem.NotFound("The client business") : tenant;
    }

    public Task<Tenant?> FindBySlugAsync(string slug, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => TenantStore.FindBySlugAsync(scope, slug), cancellationToken);

    public Task<Result<Tenant>> SuspendAsync(Guid tenantId, string? reason, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
        {
            return Task.FromResult<Result<Tenant>>(Problem.Validation("reason", "is required and must be at most 500 characters."));
        }

        var now = timeProvider.GetUtcNow();
        return ChangeAsync(tenantId, "tenant.suspended", actor, origin, new JsonObject { ["reason"] = reason },
            scope => TenantStore.SetStatusAsync(scope, tenantId, TenantStatus.Suspended, reason.Trim(), now, now), cancellationToken);
    }

    public Task<Result<Tenant>> ResumeAsync(Guid tenantId, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return ChangeAsync(tenantId, "tenant.resumed", actor, origin, null,
            scope => TenantStore.SetStatusAsync(scope, tenantId, TenantStatus.Active, null, null, now), cancellationToken);
    }

    public Task<Result<Tenant>> SetRateLimitsAsync(Guid tenantId, RateLimitSettings limits, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (limits.RequestsPerMinute is < 1 or > 100_000)
        {
            errors.Add("requestsPerMinute", "must be between 1 and 100000.");
        }

        if (limits.UserRequestsPerMinute is < 1 or > 100_000)
        {
            errors.Add("userRequestsPerMinute", "must be between 1 and 100000.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return Task.FromResult<Result<Tenant>>(problem);
        }

        var now = timeProvider.GetUtcNow();
        return ChangeAsync(tenantId, "tenant.rate_limits.changed", actor, origin,
            new JsonObject { ["requestsPerMinute"] = limits.RequestsPerMinute, ["userRequestsPerMinute"] = limits.UserRequestsPerMinute },
            scope => TenantStore.SetRateLimitsAsync(scope, tenantId, limits, now), cancellationToken);
    }

    private async Task<Result<Tenant>> ChangeAsync(
        Guid tenantId, string action, string actor, RequestOrigin origin, JsonObject? details,
        Func<DbTransactionScope, Task<int>> change, CancellationToken cancellationToken)
    {
        if (await database.InPlatformAsync(scope => TenantStore.FindAsync(scope, tenantId), cancellationToken) is null)
        {
            return Problem.NotFound("The client business");
        }

        var changed = await database.InTenantAsync(tenantId, async scope =>
        {
            await change(scope);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Provider, tenantId, actor, action, $"tenant:{tenantId}", AuditOutcome.Succeeded, origin, details));
            return Result<Tenant>.Success((await TenantStore.FindAsync(scope, tenantId))!);
        }, cancellationToken);
        accessChanges.Changed();
        return changed;
    }

    private ValidationErrors Validate(CreateTenantRequest request)
    {
        var errors = new ValidationErrors()
            .Required("name", request.Name, 200)
            .Required("slug", request.Slug, 63)
            .Required("industry", request.Industry, 50);
        if (request.Slug is { } slug && !SlugPattern().IsMatch(slug.Trim()))
        {
            errors.Add("slug", "must be 3-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit.");
        }

        if (request.Industry is { } industry && !Industries.All.Contains(industry.Trim().ToLowerInvariant()))
        {
            errors.Add("industry", $"must be one of: {string.Join(", ", Industries.All)}.");
        }

        if (request.Owner is null)
        {
            errors.Add("owner", "is required.");
            return errors;
        }

        owners.Validate(request.Owner, errors);
        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex SlugPattern();
}
