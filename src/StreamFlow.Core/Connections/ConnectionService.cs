using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connections;

/// <summary>What one page of a sync came to, as the sync orchestration reads it.</summary>
/// <param name="FailureKind">Null on success; else a <see cref="ConnectorFailure"/> name in camelCase.</param>
/// <param name="RetryAfterSeconds">The vendor's Retry-After, when it sent one.</param>
/// <param name="BackoffSeconds">The first wait before retrying an unavailable vendor; it doubles with each retry.</param>
/// <param name="MaxRetries">Retries of one page before the sync gives up.</param>
public sealed record SyncPageOutcome(string? NextPage, string? FailureKind, string? Error, double? RetryAfterSeconds, double BackoffSeconds, int MaxRetries);

/// <summary>The data of <c>integration.sync.completed</c> and <c>integration.sync.failed</c> (docs/webhooks.md).</summary>
public sealed record IntegrationSyncEvent(
    Guid ConnectionId, string Kind, string Name, Guid SyncId, string Trigger, string Status, int Pages, int ItemsSeen, int LeadsCreated, int LeadsUpdated,
    int ItemsSkipped, int ItemsFailed, int Retries, string? Error, string? ErrorKind, DateTimeOffset? StartedAt, DateTimeOffset FinishedAt);

/// <summary>The data of <c>integration.connection.broken</c>: the vendor refused the credentials; no scheduled sync until they are mended.</summary>
public sealed record IntegrationConnectionBrokenEvent(Guid ConnectionId, string Kind, string Name, Guid SyncId, string Error, string ErrorKind, DateTimeOffset BrokenAt);

/// <summary>Deployment-wide connection settings (section <c>Connections</c>).</summary>
public sealed class ConnectionOptions
{
    public const string Section = "Connections";

    /// <summary>The first wait before a page is tried again after a 5xx, timeout or unreadable answer; doubles each time.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of one page (throttled or unavailable) before the sync fails.</summary>
    public int MaxPageRetries { get; set; } = 5;
}

/// <summary>
/// A tenant's connections to external systems: create, read, change, delete, test; and the bookkeeping of their syncs
/// (one at a time per connection), which the sync orchestration drives page by page. docs/connections.md.
/// </summary>
public sealed class ConnectionService(
    StreamFlowDatabase database, IEnumerable<IConnector> connectors, ConnectionSecretProtector protector, IOptions<ConnectionOptions> options,
    TimeProvider time, ILogger<ConnectionService> logger, Email.TenantAdminMailer admins, Webhooks.WebhookOutbox outbox)
{
    private static readonly string[] Schedules = ["hourly", "daily", "manual"];
    private readonly Dictionary<string, IConnector> _connectors = connectors.ToDictionary(c => c.Kind, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Kinds => _connectors.Keys;

    public async Task<Result<ConnectionView>> CreateAsync(Guid tenantId, CreateConnection request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors().Required("name", request.Name, 100);
        var connector = request.Kind is { } kind ? _connectors.GetValueOrDefault(kind) : null;
        if (connector is null)
        {
            errors.Add("kind", $"must be one of: {string.Join(", ", _connectors.Keys.Order(StringComparer.Ordinal))}.");
        }

        var schedule = request.Schedule ?? "daily";
        if (!Schedules.Contains(schedule))
        {
            errors.Add("schedule", "must be hourly, daily or manual.");
        }

        var settings = SettingsObject(request.Settings, errors);
        var stored = connector?.Validate(settings, request.Credentials, creating: true, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var enabled = request.Enabled ?? true;
        var row = new ConnectionRow(id, tenantId, connector!.Kind, request.Name!.Trim(), stored!.Value.GetRawText(),
            protector.Protect(request.Credentials!, tenantId, id), schedule, enabled, "new", null, NextSync(schedule, enabled, now, first: true),
            null, null, 0, 0, 0, 0, 0, null, null, null, now, now);
        return (await database.InTenantAsync(tenantId, scope => ConnectionStore.InsertAsync(scope, row, now), cancellationToken)).ToView();
    }

    public async Task<Result<ConnectionView>> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, scope => ConnectionStore.GetAsync(scope, id), cancellationToken) is { } row
            ? row.ToView()
            : Problem.NotFound("The connection");

    public async Task<Result<ConnectionPage>> ListAsync(Guid tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!TryReadCursor(cursor, out var after))
        {
            return Problem.Validation("cursor", Cursor.NotOurs);
        }

        var rows = await database.InTenantAsync(tenantId, scope => ConnectionStore.ListAsync(scope, after, limit + 1), cancellationToken);
        var items = rows.Take(limit).Select(row => row.ToView()).ToList();
        return new ConnectionPage(items, rows.Count > limit ? Cursor.Encode(items[^1].Id.ToString("N")) : null);
    }

    public async Task<Result<ConnectionView>> UpdateAsync(Guid tenantId, Guid id, UpdateConnection request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.LockAsync(scope, id) is not { } current)
            {
                return (Result<ConnectionView>)Problem.NotFound("The connection");
            }

            var errors = new ValidationErrors();
            if (request.Name is not null)
            {
                errors.Required("name", request.Name, 100);
            }

            if (request.Schedule is not null && !Schedules.Contains(request.Schedule))
            {
                errors.Add("schedule", "must be hourly, daily or manual.");
            }

            var connector = _connectors[current.Kind];
            JsonElement? settings = null;
            if (request.Settings is not null || request.Credentials is not null)
            {
                using var currentSettings = JsonDocument.Parse(current.Settings);
                var merged = request.Settings is null ? currentSettings.RootElement.Clone() : SettingsObject(request.Settings, errors);
                settings = connector.Validate(merged, request.Credentials, creating: false, errors);
            }

            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            var now = time.GetUtcNow();
            var schedule = request.Schedule ?? current.Schedule;
            var enabled = request.Enabled ?? current.Enabled;
            var credentials = request.Credentials is { } fresh
                ? protector.Protect(StoredCredentials(current).Concat(fresh)
                    .GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Last().Value), tenantId, id)
                : current.CredentialsCiphertext;
            var changed = current with
            {
                Name = request.Name?.Trim() ?? current.Name, Settings = settings?.GetRawText() ?? current.Settings, CredentialsCiphertext = credentials,
                Schedule = schedule, Enabled = enabled,
                Health = request.Credentials is not null && current.Health == "broken" ? "new" : current.Health,
                NextSyncAt = schedule != current.Schedule || enabled != current.Enabled || request.Credentials is not null
                    ? NextSync(schedule, enabled, now, first: true)
                    : current.NextSyncAt,
            };
            return (await ConnectionStore.UpdateAsync(scope, changed, now)).ToView();
        }, cancellationToken);
    }

    /// <summary>Deletes the connection and its sync history; the leads it brought stay.</summary>
    public async Task<Result<bool>> DeleteAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, scope => ConnectionStore.DeleteAsync(scope, id), cancellationToken) ? true : Problem.NotFound("The connection");

    /// <summary>Asks the vendor whether it accepts the stored credentials and settings; a refusal is an answer (ok false), not an error.</summary>
    public async Task<Result<ConnectionTestResult>> TestAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => ConnectionStore.GetAsync(scope, id), cancellationToken);
        if (row is null)
        {
            return Problem.NotFound("The connection");
        }

        try
        {
            return new ConnectionTestResult(true, await _connectors[row.Kind].TestAsync(Context(row), cancellationToken), null);
        }
        catch (ConnectorException failure)
        {
            return new ConnectionTestResult(false, failure.Message, failure.FailureName);
        }
    }

    /// <summary>Opens a sync (pending) unless one is already pending or running, which is then returned with Opened false.</summary>
    public async Task<Result<SyncOpening>> OpenSyncAsync(Guid tenantId, Guid connectionId, string trigger, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.GetAsync(scope, connectionId) is not { } connection)
            {
                return (Result<SyncOpening>)Problem.NotFound("The connection");
            }

            if (!connection.Enabled)
            {
                return Problem.Conflict("The connection is disabled; enable it before syncing.");
            }

            var opened = await ConnectionStore.OpenSyncAsync(scope, tenantId, connectionId, Guid.CreateVersion7(), trigger, time.GetUtcNow());
            return opened is not null
                ? new SyncOpening(opened.ToView(), true)
                : new SyncOpening((await ConnectionStore.ActiveSyncAsync(scope, connectionId))!.ToView(), false);
        }, cancellationToken);

    /// <param name="syncId">As the status URL carries it; anything but one of this connection's sync ids is a 404.</param>
    public async Task<Result<ConnectionSyncView>> GetSyncAsync(Guid tenantId, Guid connectionId, string syncId, CancellationToken cancellationToken) =>
        Guid.TryParse(syncId, out var id) && await database.InTenantAsync(tenantId, scope => ConnectionStore.GetSyncAsync(scope, connectionId, id), cancellationToken) is { } row
            ? row.ToView()
            : Problem.NotFound("The sync");

    public async Task<Result<ConnectionSyncPage>> ListSyncsAsync(Guid tenantId, Guid connectionId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!TryReadCursor(cursor, out var after))
        {
            return Problem.Validation("cursor", Cursor.NotOurs);
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.GetAsync(scope, connectionId) is null)
            {
                return (Result<ConnectionSyncPage>)Problem.NotFound("The connection");
            }

            var rows = await ConnectionStore.ListSyncsAsync(scope, connectionId, after, limit + 1);
            var items = rows.Take(limit).Select(row => row.ToView()).ToList();
            return new ConnectionSyncPage(items, rows.Count > limit ? Cursor.Encode(items[^1].Id.ToString("N")) : null);
        }, cancellationToken);
    }

    /// <summary>Connections of every tenant whose scheduled sync is due now.</summary>
    public Task<IReadOnlyList<DueConnection>> DueAsync(int max, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => ConnectionStore.DueAsync(scope, time.GetUtcNow(), max), cancellationToken);

    /// <summary>Marks the sync running and plans it: the first page token, and the cursor kept when it completes.</summary>
    public async Task<string> BeginSyncAsync(Guid tenantId, Guid connectionId, Guid syncId, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => ConnectionStore.GetAsync(scope, connectionId), cancellationToken)
            ?? throw new InvalidOperationException($"Connection {connectionId} no longer exists.");
        var trigger = (await database.InTenantAsync(tenantId, scope => ConnectionStore.GetSyncAsync(scope, connectionId, syncId), cancellationToken))?.Trigger;
        var now = time.GetUtcNow();
        var plan = _connectors[row.Kind].Plan(Context(row) with { Trigger = trigger }, now);
        await database.InTenantAsync(tenantId, async scope =>
        {
            await ConnectionStore.StartSyncAsync(scope, syncId, plan.CursorAfter, now);
            return true;
        }, cancellationToken);
        return plan.FirstPage;
    }

    /// <summary>Runs one page and records its counts; a vendor failure comes back as the outcome's failure, never thrown.</summary>
    public async Task<SyncPageOutcome> SyncPageAsync(Guid tenantId, Guid connectionId, Guid syncId, string page, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => ConnectionStore.GetAsync(scope, connectionId), cancellationToken)
            ?? throw new InvalidOperationException($"Connection {connectionId} no longer exists.");
        try
        {
            var done = await _connectors[row.Kind].SyncPageAsync(Context(row) with { SyncId = syncId }, page, cancellationToken);
            await database.InTenantAsync(tenantId, async scope =>
            {
                await ConnectionStore.RecordPageAsync(scope, syncId, done);
                return true;
            }, cancellationToken);
            return new SyncPageOutcome(done.NextPage, null, null, null, 0, 0);
        }
        catch (ConnectorException failure)
        {
            logger.LogWarning("Sync {SyncId} of connection {ConnectionId} ({Kind}): {Failure}", syncId, connectionId, row.Kind, failure.Failure);
            return new SyncPageOutcome(page, failure.FailureName, failure.Message, failure.RetryAfter?.TotalSeconds,
                options.Value.RetryDelay.TotalSeconds, options.Value.MaxPageRetries);
        }
    }

    /// <summary>Records that the sync waits (Retry-After or backoff) before trying the same page again.</summary>
    public Task RecordWaitAsync(Guid tenantId, Guid syncId, DateTimeOffset until, string error, string errorKind, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            await ConnectionStore.RecordWaitAsync(scope, syncId, until, error, errorKind);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Ends the sync (completed when <paramref name="error"/> is null) and writes its outcome onto the connection: the cursor,
    /// counts, health (unauthorized makes it broken) and the next scheduled time. A sync already ended is left as it is.
    /// </summary>
    public async Task<ConnectionSyncView?> FinishSyncAsync(
        Guid tenantId, Guid connectionId, Guid syncId, string? error, string? errorKind, CancellationToken cancellationToken)
    {
        var (view, brokenNow) = await database.InTenantAsync(tenantId, async scope =>
        {
            var now = time.GetUtcNow();
            var finished = await ConnectionStore.FinishSyncAsync(scope, syncId, error is null ? "completed" : "failed", error, errorKind, now);
            if (finished is null || await ConnectionStore.LockAsync(scope, connectionId) is not { } connection)
            {
                return (finished?.ToView(), (ConnectionRow?)null);
            }

            var health = error is null ? "ok" : errorKind == "unauthorized" ? "broken" : "error";
            // A feedback-only sync reads no leads: the scheduled sync stays when it was due.
            var nextSync = finished.Trigger == "feedback" ? connection.NextSyncAt : NextSync(connection.Schedule, connection.Enabled, now, first: false);
            await ConnectionStore.RecordSyncOnConnectionAsync(scope, finished, health, nextSync, now);
            var breaks = health == "broken" && connection.Health != "broken";
            await PublishFinishedAsync(scope, connection, finished, breaks, now, cancellationToken);
            return (finished.ToView(), breaks ? connection : null);
        }, cancellationToken);

        // Told once, when the connection breaks: a broken connection is not scheduled again until its owner mends it.
        if (brokenNow is { } broken)
        {
            await admins.SendAsync(tenantId, $"StreamFlow: the connection \"{broken.Name}\" needs to be connected again",
                $"The {broken.Kind} connection \"{broken.Name}\" was refused by the vendor and has stopped syncing:\n\n{error}\n\n"
                + "Open the connection in StreamFlow and connect it again (or enter new credentials); syncs resume after that.", cancellationToken);
        }

        return view;
    }

    // In the transaction that ends the sync: integration.sync.completed or .failed, and integration.connection.broken the
    // first time a refusal breaks the connection (docs/webhooks.md).
    private async Task PublishFinishedAsync(
        DbTransactionScope scope, ConnectionRow connection, ConnectionSyncRow sync, bool breaks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = sync.Status == "completed";
        await outbox.AddAsync(scope, connection.TenantId, completed ? Webhooks.WebhookEventCatalog.IntegrationSyncCompleted : Webhooks.WebhookEventCatalog.IntegrationSyncFailed,
            new IntegrationSyncEvent(connection.Id, connection.Kind, connection.Name, sync.Id, sync.Trigger, sync.Status, sync.Pages, sync.ItemsSeen, sync.LeadsCreated,
                sync.LeadsUpdated, sync.ItemsSkipped, sync.ItemsFailed, sync.Retries, completed ? null : sync.Error, completed ? null : sync.ErrorKind ?? "unavailable",
                sync.StartedAt, sync.FinishedAt ?? now), now, cancellationToken);
        if (breaks)
        {
            await outbox.AddAsync(scope, connection.TenantId, Webhooks.WebhookEventCatalog.IntegrationConnectionBroken,
                new IntegrationConnectionBrokenEvent(connection.Id, connection.Kind, connection.Name, sync.Id, sync.Error ?? "The vendor refused the credentials.", sync.ErrorKind ?? "unauthorized", now),
                now, cancellationToken);
        }
    }

    private ConnectorContext Context(ConnectionRow row)
    {
        IReadOnlyDictionary<string, string> credentials;
        try
        {
            credentials = protector.Unprotect(row.CredentialsCiphertext, row.TenantId, row.Id);
        }
        catch (CryptographicException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unauthorized, "The stored credentials cannot be read (was the encryption key changed?); enter them again.", inner: exception);
        }

        using var settings = JsonDocument.Parse(row.Settings);
        return new ConnectorContext(row.TenantId, row.Id, settings.RootElement.Clone(), credentials, row.SyncCursor);
    }

    // Credentials stored under a key since replaced cannot be read; new ones then stand alone.
    private IReadOnlyDictionary<string, string> StoredCredentials(ConnectionRow row)
    {
        try
        {
            return protector.Unprotect(row.CredentialsCiphertext, row.TenantId, row.Id);
        }
        catch (CryptographicException)
        {
            return new Dictionary<string, string>();
        }
    }

    private static JsonElement SettingsObject(JsonElement? settings, ValidationErrors errors)
    {
        if (settings is { ValueKind: JsonValueKind.Object } value)
        {
            return value;
        }

        if (settings is not null && settings.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            errors.Add("settings", "must be an object.");
        }

        return JsonSerializer.SerializeToElement(new Dictionary<string, object>());
    }

    private static DateTimeOffset? NextSync(string schedule, bool enabled, DateTimeOffset now, bool first) =>
        !enabled ? null : schedule switch
        {
            "hourly" => first ? now : now.AddHours(1),
            "daily" => first ? now : now.AddDays(1),
            _ => null,
        };

    private static bool TryReadCursor(string? cursor, out Guid? after)
    {
        after = null;
        if (cursor is null)
        {
            return true;
        }

        if (!Cursor.TryDecode(cursor, 64, out var key) || !Guid.TryParseExact(key, "N", out var id))
        {
            return false;
        }

        after = id;
        return true;
    }
}
