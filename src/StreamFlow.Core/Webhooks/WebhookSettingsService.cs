using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>A tenant's effective retry schedule: delays in seconds between attempts, and attempts in all.</summary>
public sealed record WebhookTenantSettings(IReadOnlyList<int> RetryDelaysSeconds, int MaxAttempts, bool UsesDefaults);

/// <summary>Replaces a tenant's overrides; a null field goes back to the deployment's default.</summary>
public sealed record UpdateWebhookSettings(IReadOnlyList<int>? RetryDelaysSeconds, int? MaxAttempts);

/// <summary>Per-tenant retry schedule and maximum attempts (for example a plan's "max 5 attempts").</summary>
public sealed class WebhookSettingsService(StreamFlowDatabase database, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    public const int MaxDelays = 20;
    public const int MaxAttempts = 20;
    public const int MaxDelaySeconds = 24 * 60 * 60;

    public async Task<WebhookTenantSettings> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope =>
            WebhookSettingsStore.FindAsync(scope), cancellationToken);
        return Effective(row?.RetryDelaysSeconds, row?.MaxAttempts);
    }

    public async Task<Result<WebhookTenantSettings>> UpdateAsync(Guid tenantId, UpdateWebhookSettings request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        if (request.RetryDelaysSeconds is { } delays)
        {
            if (delays.Count is < 1 or > MaxDelays)
            {
                errors.Add("retryDelaysSeconds", $"must list between 1 and {MaxDelays} delays.");
            }

            if (delays.Any(d => d is < 1 or > MaxDelaySeconds))
            {
                errors.Add("retryDelaysSeconds", $"each delay must be between 1 and {MaxDelaySeconds} seconds.");
            }
        }

        if (request.MaxAttempts is < 1 or > MaxAttempts)
        {
            errors.Add("maxAttempts", $"must be between 1 and {MaxAttempts}.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var delaysArray = request.RetryDelaysSeconds?.ToArray();
        await database.InTenantAsync(tenantId, scope => WebhookSettingsStore.UpsertAsync(scope, tenantId, delaysArray, request.MaxAttempts, timeProvider.GetUtcNow()), cancellationToken);
        return Effective(delaysArray, request.MaxAttempts);
    }

    private WebhookTenantSettings Effective(int[]? delays, int? maxAttempts)
    {
        var defaults = options.Value.Retry.DefaultSchedule();
        var effectiveDelays = delays is { Length: > 0 } ? delays : defaults.Delays.Select(d => (int)d.TotalSeconds).ToArray();
        var effectiveMax = maxAttempts ?? (delays is { Length: > 0 } ? delays.Length + 1 : defaults.MaxAttempts);
        return new WebhookTenantSettings(effectiveDelays, effectiveMax, delays is null && maxAttempts is null);
    }
}
