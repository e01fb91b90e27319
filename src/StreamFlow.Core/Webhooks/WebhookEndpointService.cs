using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// A tenant's webhook endpoints: create (the secret is returned once), read, list, update, delete, re-enable and
/// rotate the signing secret. Another tenant's endpoint ids are simply not found.
/// </summary>
public sealed class WebhookEndpointService(
    StreamFlowDatabase database,
    WebhookSecretProtector protector,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public static readonly TimeSpan MaxRotationOverlap = TimeSpan.FromDays(7);

    /// <summary>Creates an endpoint with a new <c>whsec_</c> secret, returned here and never again.</summary>
    public async Task<Result<CreatedWebhookEndpoint>> CreateAsync(Guid tenantId, CreateWebhookEndpoint request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        WebhookEndpointValidation.ValidateCreate(request, options.Value.AllowLoopbackForDevelopment, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var id = Guid.CreateVersion7();
        var secret = WebhookSignature.GenerateSecret();
        var ciphertext = protector.Protect(secret, tenantId, id);
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync<Result<CreatedWebhookEndpoint>>(tenantId, async scope =>
        {
            if (await WebhookEndpointStore.CountAsync(scope) >= options.Value.MaxEndpointsPerTenant)
            {
                return new Problem(ProblemKind.Unprocessable, $"A tenant can have at most {options.Value.MaxEndpointsPerTenant} webhook endpoints.");
            }

            var endpoint = await WebhookEndpointStore.InsertAsync(scope, tenantId, id, request, ciphertext, now);
            return CreatedWebhookEndpoint.From(endpoint, secret);
        }, cancellationToken);
    }

    public async Task<Result<WebhookEndpoint>> GetAsync(Guid tenantId, Guid endpointId, CancellationToken cancellationToken)
    {
        var endpoint = await database.InTenantAsync(tenantId, scope => WebhookEndpointStore.GetAsync(scope, endpointId), cancellationToken);
        return endpoint is null ? Problem.NotFound("The webhook endpoint") : endpoint;
    }

    /// <summary>Endpoints in creation order, <paramref name="limit"/> at a time (default 50, at most 500).</summary>
    public async Task<Result<WebhookPage<WebhookEndpoint>>> ListAsync(Guid tenantId, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var pageSize = WebhookCursor.PageSize(limit, errors);
        var after = WebhookCursor.DecodeGuid(cursor, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var rows = await database.InTenantAsync(tenantId, scope => WebhookEndpointStore.ListAsync(scope, after, pageSize + 1), cancellationToken);
        var items = rows.Take(pageSize).ToList();
        return new WebhookPage<WebhookEndpoint>(items, rows.Count > pageSize ? WebhookCursor.Encode(items[^1].Id) : null);
    }

    /// <summary>Changes the given fields. <c>Enabled = true</c> re-enables an endpoint that was disabled for any reason.</summary>
    public async Task<Result<WebhookEndpoint>> UpdateAsync(Guid tenantId, Guid endpointId, UpdateWebhookEndpoint request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        WebhookEndpointValidation.ValidateUpdate(request, options.Value.AllowLoopbackForDevelopment, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        var endpoint = await database.InTenantAsync(tenantId, scope => WebhookEndpointStore.UpdateAsync(scope, endpointId, request, now), cancellationToken);
        return endpoint is null ? Problem.NotFound("The webhook endpoint") : endpoint;
    }

    /// <summary>Re-enables a disabled endpoint; pending deliveries are not revived (recover them explicitly).</summary>
    public Task<Result<WebhookEndpoint>> EnableAsync(Guid tenantId, Guid endpointId, CancellationToken cancellationToken) =>
        UpdateAsync(tenantId, endpointId, new UpdateWebhookEndpoint(Enabled: true), cancellationToken);

    /// <summary>Deletes the endpoint with its deliveries and attempt log; running deliveries stop at their next step.</summary>
    public async Task<Result<bool>> DeleteAsync(Guid tenantId, Guid endpointId, CancellationToken cancellationToken)
    {
        var deleted = await database.InTenantAsync(tenantId, scope => WebhookEndpointStore.DeleteAsync(scope, endpointId), cancellationToken);
        return deleted ? true : Problem.NotFound("The webhook endpoint");
    }

    /// <summary>
    /// Replaces the signing secret. The old secret keeps signing (a second signature in the same header) for
    /// <paramref name="overlap"/> (default <see cref="WebhookOptions.SecretRotationOverlap"/>, at most 7 days; zero ends it at once).
    /// </summary>
    public async Task<Result<RotatedWebhookSecret>> RotateSecretAsync(Guid tenantId, Guid endpointId, TimeSpan? overlap, CancellationToken cancellationToken)
    {
        var keepOld = overlap ?? options.Value.SecretRotationOverlap;
        if (keepOld < TimeSpan.Zero || keepOld > MaxRotationOverlap)
        {
            return Problem.Validation("overlap", "must be between 0 and 7 days.");
        }

        var secret = WebhookSignature.GenerateSecret();
        var ciphertext = protector.Protect(secret, tenantId, endpointId);
        var now = timeProvider.GetUtcNow();
        DateTimeOffset? previousExpiresAt = keepOld > TimeSpan.Zero ? now + keepOld : null;
        var rotated = await database.InTenantAsync(tenantId,
            scope => WebhookEndpointStore.RotateAsync(scope, endpointId, ciphertext, previousExpiresAt, now), cancellationToken);
        return rotated ? new RotatedWebhookSecret(endpointId, secret, previousExpiresAt) : Problem.NotFound("The webhook endpoint");
    }
}
