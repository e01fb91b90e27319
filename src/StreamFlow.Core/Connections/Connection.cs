using System.Text.Json;

namespace StreamFlow.Core.Connections;

/// <summary>
/// A new connection. <see cref="Settings"/> are the kind's non-secret options (a SAM.gov connection's filters);
/// <see cref="Credentials"/> its secrets (a SAM.gov <c>apiKey</c>), stored encrypted and never shown again.
/// <see cref="Schedule"/> is hourly, daily (the default) or manual.
/// </summary>
public sealed record CreateConnection(string? Kind, string? Name, JsonElement? Settings, Dictionary<string, string>? Credentials, string? Schedule, bool? Enabled);

/// <summary>A change to a connection; a missing (null) member stays as it is. New credentials clear a "broken" health.</summary>
public sealed record UpdateConnection(string? Name, JsonElement? Settings, Dictionary<string, string>? Credentials, string? Schedule, bool? Enabled);

/// <summary>
/// A connection as its owners see it: never its credentials. <see cref="Health"/> is new, ok, error (the last sync failed;
/// the next scheduled one tries again) or broken (the credentials were refused: no scheduled sync until they change).
/// </summary>
public sealed record ConnectionView(
    Guid Id, string Kind, string Name, JsonElement Settings, string Schedule, bool Enabled, string Health, string? Cursor,
    DateTimeOffset? NextSyncAt, DateTimeOffset? LastSyncAt, DateTimeOffset? LastSuccessAt, ConnectionCounts Totals,
    ConnectionError? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ConnectionCounts(long ItemsSeen, long LeadsCreated, long LeadsUpdated, long ItemsSkipped, long ItemsFailed);

/// <summary>The last failure: <see cref="Kind"/> is one of <see cref="ConnectorFailure"/>'s names in camelCase.</summary>
public sealed record ConnectionError(string Kind, string Message, DateTimeOffset At);

public sealed record ConnectionPage(IReadOnlyList<ConnectionView> Items, string? NextCursor);

/// <summary>What testing the credentials and settings against the vendor found.</summary>
public sealed record ConnectionTestResult(bool Ok, string Message, string? ErrorKind);

/// <summary>
/// One sync of a connection (a durable orchestration): status pending, running, completed or failed; progress counts
/// while it runs; <see cref="WaitingUntil"/> while it honours a vendor's Retry-After.
/// </summary>
public sealed record ConnectionSyncView(
    Guid Id, Guid ConnectionId, string Trigger, string Status, int Pages, int ItemsSeen, int LeadsCreated, int LeadsUpdated,
    int ItemsSkipped, int ItemsFailed, int Retries, DateTimeOffset? WaitingUntil, string? Error, string? ErrorKind,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record ConnectionSyncPage(IReadOnlyList<ConnectionSyncView> Items, string? NextCursor);

/// <summary>Whether a sync was opened now, or the one already running (one at a time per connection).</summary>
public sealed record SyncOpening(ConnectionSyncView Sync, bool Opened);

public sealed record DueConnection(Guid TenantId, Guid ConnectionId);

internal sealed record ConnectionRow(
    Guid Id, Guid TenantId, string Kind, string Name, string Settings, byte[] CredentialsCiphertext, string Schedule, bool Enabled,
    string Health, string? SyncCursor, DateTimeOffset? NextSyncAt, DateTimeOffset? LastSyncAt, DateTimeOffset? LastSuccessAt,
    long ItemsSeen, long LeadsCreated, long LeadsUpdated, long ItemsSkipped, long ItemsFailed, string? LastError, string? LastErrorKind,
    DateTimeOffset? LastErrorAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public JsonElement SettingsElement()
    {
        using var settings = JsonDocument.Parse(Settings);
        return settings.RootElement.Clone();
    }

    public ConnectionView ToView()
    {
        using var settings = JsonDocument.Parse(Settings);
        return new(Id, Kind, Name, settings.RootElement.Clone(), Schedule, Enabled, Health, SyncCursor, NextSyncAt, LastSyncAt, LastSuccessAt,
            new ConnectionCounts(ItemsSeen, LeadsCreated, LeadsUpdated, ItemsSkipped, ItemsFailed),
            LastError is null ? null : new ConnectionError(LastErrorKind ?? "unknown", LastError, LastErrorAt ?? UpdatedAt), CreatedAt, UpdatedAt);
    }
}

internal sealed record ConnectionSyncRow(
    Guid Id, Guid TenantId, Guid ConnectionId, string Trigger, string Status, int Pages, int ItemsSeen, int LeadsCreated, int LeadsUpdated,
    int ItemsSkipped, int ItemsFailed, int Retries, DateTimeOffset? WaitingUntil, string? CursorAfter, string? Error, string? ErrorKind,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public ConnectionSyncView ToView() =>
        new(Id, ConnectionId, Trigger, Status, Pages, ItemsSeen, LeadsCreated, LeadsUpdated, ItemsSkipped, ItemsFailed, Retries, WaitingUntil,
            Error, ErrorKind, CreatedAt, StartedAt, FinishedAt);
}
