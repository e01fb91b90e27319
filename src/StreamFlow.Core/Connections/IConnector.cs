using System.Text.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connections;

/// <summary>
/// One kind of external system a connection reaches (SAM.gov today; QuickBooks, ServiceTitan, ADP later). The connection
/// machinery stores settings and credentials, schedules syncs, runs them one page per durable activity and records what
/// happened; a connector only knows its vendor: what its settings mean, how to test them, and how to sync one page.
/// </summary>
public interface IConnector
{
    /// <summary>The <c>kind</c> of connections this connector serves, such as <c>sam_gov</c>.</summary>
    string Kind { get; }

    /// <summary>Checks settings and credentials, adding errors under <c>settings.x</c> and <c>credentials.x</c>; returns the settings to store.</summary>
    JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors);

    /// <summary>One cheap authenticated call: does the vendor accept these credentials and settings?</summary>
    /// <exception cref="ConnectorException">The vendor refused or could not be reached.</exception>
    Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken);

    /// <summary>Where a sync starting now begins, and the cursor the connection keeps once the sync completes.</summary>
    SyncPlan Plan(ConnectorContext context, DateTimeOffset now);

    /// <summary>Fetches and stores one page; idempotent, because a page whose outcome was lost runs again.</summary>
    /// <exception cref="ConnectorException">The vendor refused, throttled, failed or answered something unreadable.</exception>
    Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken);
}

/// <summary>
/// What a connector works with: the connection's ids, settings, decrypted credentials and stored cursor; while a sync
/// runs, its id (<see cref="SyncId"/>), under which the sync log records what happened to each record, and what started
/// it (<see cref="Trigger"/>: schedule, manual, or feedback for a Local Services feedback-only sync).
/// </summary>
public sealed record ConnectorContext(
    Guid TenantId, Guid ConnectionId, JsonElement Settings, IReadOnlyDictionary<string, string> Credentials, string? Cursor, Guid? SyncId = null,
    string? Trigger = null);

/// <summary>The first page token of a sync and the cursor the connection keeps when it completes (null keeps the current one).</summary>
public sealed record SyncPlan(string FirstPage, string? CursorAfter);

/// <summary>What one page did; <see cref="NextPage"/> null ends the sync.</summary>
public sealed record ConnectorPage(int ItemsSeen, int LeadsCreated, int LeadsUpdated, int ItemsSkipped, int ItemsFailed, string? NextPage);

/// <summary>How a vendor call failed, which decides what the sync does next.</summary>
public enum ConnectorFailure
{
    /// <summary>429: wait for Retry-After, then try the same page again.</summary>
    RateLimited,

    /// <summary>5xx, a timeout, or an answer that is not the documented shape: a few retries with backoff.</summary>
    Unavailable,

    /// <summary>The credentials were refused: the connection is broken until they change; never retried.</summary>
    Unauthorized,

    /// <summary>The account's quota is spent: the sync stops; the next scheduled one tries again.</summary>
    QuotaExceeded,

    /// <summary>The vendor refused the request as invalid (a date range, a limit): a settings problem; not retried.</summary>
    InvalidRequest,
}

/// <summary>A vendor call that failed in one of the ways of <see cref="ConnectorFailure"/>.</summary>
public sealed class ConnectorException(ConnectorFailure failure, string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ConnectorFailure Failure { get; } = failure;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public string FailureName => JsonNamingPolicy.CamelCase.ConvertName(Failure.ToString());
}
