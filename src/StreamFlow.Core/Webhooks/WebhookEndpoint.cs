namespace StreamFlow.Core.Webhooks;

/// <summary>Why an endpoint is disabled.</summary>
public enum WebhookDisabledReason
{
    /// <summary>Someone turned it off.</summary>
    Manual,

    /// <summary>The receiver answered 410 Gone.</summary>
    Gone,

    /// <summary>Every attempt failed for longer than the deployment allows (5 days by default).</summary>
    Failing,
}

/// <summary>A tenant's webhook endpoint. The signing secret is never part of it: it is shown once, at creation or rotation.</summary>
/// <param name="EventTypes">The event types sent there; empty means every subscribable type.</param>
/// <param name="PreviousSecretExpiresAt">Set during a rotation: until then, the previous secret's signature is sent too.</param>
/// <param name="FailingSince">The first failed attempt since the last success, while the endpoint keeps failing.</param>
public sealed record WebhookEndpoint(
    Guid Id,
    string Url,
    string Description,
    IReadOnlyList<string> EventTypes,
    bool Enabled,
    WebhookDisabledReason? DisabledReason,
    DateTimeOffset? DisabledAt,
    IReadOnlyDictionary<string, string> Headers,
    int? RateLimitPerSecond,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A new endpoint with its signing secret, which is not shown again.</summary>
public sealed record CreatedWebhookEndpoint(
    Guid Id,
    string Secret,
    string Url,
    string Description,
    IReadOnlyList<string> EventTypes,
    bool Enabled,
    IReadOnlyDictionary<string, string> Headers,
    int? RateLimitPerSecond,
    DateTimeOffset CreatedAt)
{
    internal static CreatedWebhookEndpoint From(WebhookEndpoint endpoint, string secret) => new(
        endpoint.Id, secret, endpoint.Url, endpoint.Description, endpoint.EventTypes, endpoint.Enabled, endpoint.Headers,
        endpoint.RateLimitPerSecond, endpoint.CreatedAt);
}

/// <summary>A rotated secret: <see cref="Secret"/> signs from now on; the old one also signs until <see cref="PreviousSecretExpiresAt"/>.</summary>
public sealed record RotatedWebhookSecret(Guid EndpointId, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <param name="EventTypes">Event types to send; empty or null for all.</param>
/// <param name="Headers">Extra request headers (for example an API key the receiver expects).</param>
/// <param name="RateLimitPerSecond">At most this many attempts per second to the endpoint; null for no limit.</param>
public sealed record CreateWebhookEndpoint(
    string? Url,
    IReadOnlyList<string>? EventTypes = null,
    string? Description = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    int? RateLimitPerSecond = null,
    bool? Enabled = null);

/// <summary>A partial update: null leaves a field as it is. <see cref="RateLimitPerSecond"/> 0 removes the limit.</summary>
/// <param name="Enabled">true re-enables a disabled endpoint (and forgets its failure streak); false disables it.</param>
public sealed record UpdateWebhookEndpoint(
    string? Url = null,
    IReadOnlyList<string>? EventTypes = null,
    string? Description = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    int? RateLimitPerSecond = null,
    bool? Enabled = null);

/// <summary>A page of a list, newest first; pass <see cref="NextCursor"/> back to get the next page.</summary>
public sealed record WebhookPage<T>(IReadOnlyList<T> Items, string? NextCursor);
