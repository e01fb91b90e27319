using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Outbox;

/// <summary>The kinds of platform work (no tenant) a request can leave for the dispatcher.</summary>
public static class PlatformWorkKinds
{
    /// <summary>A backup taken by hand (<c>POST /api/v1/dev/backups</c>).</summary>
    public const string Backup = "backup.take";

    /// <summary>A restore into a named database (<c>POST /api/v1/dev/backups/{id}/restore</c>).</summary>
    public const string Restore = "backup.restore";

    /// <summary>The platform self-test (<c>POST /api/v1/dev/self-tests</c>).</summary>
    public const string SelfTest = "platform.self-test";

    /// <summary>
    /// A client business's billing run asked for by the provider (<c>POST /api/v1/provider/tenants/{id}/billing-runs</c>),
    /// keyed by its instance id <c>billing-{tenant}-{period start}</c>: asked again once started, the row is armed again and
    /// the starter decides as before (a run that exists is left alone, a failed one is started again).
    /// </summary>
    public const string BillingRun = "billing.run";

    /// <summary>
    /// A key rotation asked for by a developer (<c>POST /api/v1/dev/privacy/tenants/{id}/data-key/rotations</c>,
    /// <c>POST /api/v1/dev/privacy/kek/rotations</c>), committed with its <c>key_rotations</c> row; instance id
    /// <c>key-rotation-{rotation id}</c>.
    /// </summary>
    public const string KeyRotation = "privacy.key-rotation";
}

/// <summary>A platform operation's row: committed, and started (<see cref="StartedAt"/>) once the dispatcher has.</summary>
public sealed record PlatformOperation(string InstanceId, string Kind, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt);

/// <summary>
/// Platform work (table <c>platform_operations</c>) for requests with no tenant: the request commits the row with the
/// orchestration's instance id and input and answers; <see cref="WorkOutboxDispatcher"/> starts it, as it starts a
/// tenant's <c>work_outbox</c> rows. The row stays, so a status route answers "pending" before the instance exists.
/// </summary>
public sealed class PlatformOperations(StreamFlowDatabase database, IOptions<WorkOutboxOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Commits the operation; the listener is woken at commit. Returns <paramref name="instanceId"/>. An operation of that
    /// instance id not yet started is left as it is; one already started is armed again with the new input.
    /// </summary>
    public async Task<string> AddAsync(string kind, string instanceId, object input, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentNullException.ThrowIfNull(input);
        var serialized = JsonSerializer.Serialize(input, input.GetType(), Json);
        await database.InPlatformAsync(
            async scope =>
            {
                await PlatformOperationStore.InsertAsync(scope, options.Value.TaskHub, kind, instanceId, serialized);
                return 0;
            },
            cancellationToken);
        return instanceId;
    }

    /// <summary>
    /// Adds the operation inside <paramref name="scope"/> (a platform transaction), so it commits exactly when the change
    /// that asked for it does; the listener is woken at that commit.
    /// </summary>
    public Task AddAsync(DbTransactionScope scope, string kind, string instanceId, object input)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentNullException.ThrowIfNull(input);
        return PlatformOperationStore.InsertAsync(scope, options.Value.TaskHub, kind, instanceId, JsonSerializer.Serialize(input, input.GetType(), Json));
    }

    /// <summary>The operation of <paramref name="instanceId"/>, or null when none was committed under it.</summary>
    public Task<PlatformOperation?> FindAsync(string instanceId, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => PlatformOperationStore.FindAsync(scope, instanceId), cancellationToken);

    /// <summary>The input committed with an item of a platform kind, read back as the orchestration's input type.</summary>
    public static T ReadInput<T>(WorkItem item) =>
        JsonSerializer.Deserialize<T>(item.Input ?? throw new InvalidOperationException($"Work item {item.Id} carries no input."), Json)
        ?? throw new InvalidOperationException($"Work item {item.Id} carries an empty input.");
}
