using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Core.Privacy.Rotation;

/// <summary>
/// Key rotations in steps an orchestration can resume. A data-key rotation adds the business's next data key version
/// (the old ones stay, retired, so values sealed with them still open) and then re-seals, batch by batch, the rows
/// still under an older version: each batch is one transaction that moves its rows to the new version together, so
/// a crash at any point leaves every row readable under the version it names, and the next batch picks up what is left.
/// A rotation of the key-encryption key re-wraps every business's data and index keys under the current KEK, touching
/// no sealed row.
/// </summary>
public sealed class KeyRotationService(
    StreamFlowDatabase database, TenantKeyring keyring, IKeyEncryptionKey kek, AuditLog audit, TimeProvider timeProvider, PlatformOperations operations)
{
    public const string DataKey = "data-key";
    public const string Kek = "kek";
    public const int BatchSize = 500;

    /// <summary>Who requests the rotations a business's policy makes due.</summary>
    public const string PolicyActor = "timer:data-key-rotation-policy";

    /// <summary>Records a pending rotation of the business's data key; 404 for an unknown business, 409 while another runs.</summary>
    public async Task<Result<Guid>> RequestDataKeyRotationAsync(Guid tenantId, string actor, CancellationToken cancellationToken) =>
        await RequestAsync(DataKey, tenantId, actor, cancellationToken);

    /// <summary>Records a pending rotation of the key-encryption key (re-wrap of every business's keys).</summary>
    public async Task<Result<Guid>> RequestKekRotationAsync(string actor, CancellationToken cancellationToken) =>
        await RequestAsync(Kek, null, actor, cancellationToken);

    /// <summary>
    /// A developer's data-key rotation: the pending rotation and its platform operation (<see cref="PlatformWorkKinds.KeyRotation"/>,
    /// instance <see cref="InstanceIdOf"/>) commit in one transaction; the outbox dispatcher starts the KeyRotation
    /// orchestration, so the request never waits on the durable backend. 404 for an unknown business, 409 while another runs.
    /// </summary>
    public Task<Result<Guid>> StartDataKeyRotationAsync(Guid tenantId, string actor, CancellationToken cancellationToken) =>
        RequestAsync(DataKey, tenantId, actor, cancellationToken, queue: true);

    /// <summary>A developer's key-encryption-key rotation, committed with its platform operation as <see cref="StartDataKeyRotationAsync"/>.</summary>
    public Task<Result<Guid>> StartKekRotationAsync(string actor, CancellationToken cancellationToken) =>
        RequestAsync(Kek, null, actor, cancellationToken, queue: true);

    /// <summary>The KeyRotation orchestration's instance id of a rotation.</summary>
    public static string InstanceIdOf(Guid rotationId) => $"key-rotation-{rotationId:N}";

    public Task<KeyRotation?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => KeyRotationStore.FindAsync(scope, id), cancellationToken);

    public Task<IReadOnlyList<KeyRotation>> RecentAsync(int limit, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => KeyRotationStore.RecentAsync(scope, limit), cancellationToken);

    /// <summary>
    /// Starts a data-key rotation: the next version is added once (a replay finds it already there) and becomes current;
    /// the keyring of this instance forgets the old one at once, others within <see cref="PrivacyOptions.DataKeyCacheLifetime"/>
    /// (values they seal meanwhile carry the old version, which still opens, and the batches re-seal them).
    /// </summary>
    public async Task<int> BeginDataKeyRotationAsync(Guid rotationId, CancellationToken cancellationToken)
    {
        var rotation = await FindAsync(rotationId, cancellationToken) ?? throw new InvalidOperationException($"Key rotation {rotationId} does not exist.");
        var tenantId = rotation.TenantId!.Value;
        if (rotation.ToVersion is { } existing)
        {
            return existing;
        }

        var wrapped = await kek.WrapAsync(RandomNumberGenerator.GetBytes(32), cancellationToken);
        var version = await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var current = await KeyRotationStore.MaxVersionAsync(scope);
            if (current == 0)
            {
                // A business that never sealed anything has no key yet: its first one is created on first use instead.
                await KeyRotationStore.BeginAsync(scope, rotationId, null, null, wrapped.KekId, 0, now);
                return 0;
            }

            await KeyRotationStore.AddDataKeyAsync(scope, tenantId, current + 1, wrapped, now);
            await KeyRotationStore.BeginAsync(scope, rotationId, current, current + 1, wrapped.KekId, await KeyRotationStore.RowsToResealAsync(scope, current + 1), now);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Developer, tenantId, rotation.RequestedBy, "privacy.data-key.rotated",
                $"key-rotation:{rotationId}", AuditOutcome.Succeeded, RequestOrigin.None, new JsonObject { ["fromVersion"] = current, ["toVersion"] = current + 1 }));
            return current + 1;
        }, cancellationToken);
        keyring.Forget(tenantId);
        return version;
    }

    /// <summary>Re-seals up to <see cref="BatchSize"/> rows still under an older version; returns how many (0: none left).</summary>
    public async Task<int> ResealBatchAsync(Guid rotationId, Guid tenantId, int version, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        if (keys.CurrentVersion != version)
        {
            // Keys cached before the rotation began (this instance resumed another's work).
            keyring.Forget(tenantId);
            keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        }

        if (keys.CurrentVersion != version)
        {
            throw new InvalidOperationException($"The business's current data key is version {keys.CurrentVersion}, not {version}: another rotation superseded this one.");
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            var leads = await KeyRotationStore.LeadBatchAsync(scope, version, BatchSize);
            foreach (var lead in leads)
            {
                byte[]? Resealed(string column, byte[]? sealedValue) => Reseal(keys, PersonalFields.LeadsTable, column, lead.Id, sealedValue, version);
                await KeyRotationStore.ResealLeadAsync(scope, new SealedLeadRow(lead.Id,
                    Resealed(PersonalFields.Email, lead.Email), Resealed(PersonalFields.Phone, lead.Phone), Resealed(PersonalFields.Notes, lead.Notes),
                    Resealed(PersonalFields.PostalCode, lead.PostalCode), Resealed(PersonalFields.State, lead.State),
                    Resealed(PersonalFields.City, lead.City), Resealed(PersonalFields.Country, lead.Country)), version);
            }

            var users = leads.Count < BatchSize ? await KeyRotationStore.UserBatchAsync(scope, version, BatchSize - leads.Count) : [];
            foreach (var user in users)
            {
                await KeyRotationStore.ResealUserAsync(scope, user with { First = Reseal(keys, PersonalFields.UsersTable, PersonalFields.MfaSecret, user.Id, user.First, version) }, version);
            }

            await KeyRotationStore.ProgressAsync(scope, rotationId, leads.Count + users.Count, 0);
            return leads.Count + users.Count;
        }, cancellationToken);
    }

    /// <summary>Re-wraps one business's data and index keys under the current KEK; returns how many keys.</summary>
    public async Task<int> RewrapTenantAsync(Guid rotationId, Guid tenantId, CancellationToken cancellationToken)
    {
        var stored = await database.InTenantAsync(tenantId, KeyRotationStore.WrappedKeysAsync, cancellationToken);
        var rewrapped = new List<(int? Version, WrappedKey Key)>();
        foreach (var key in stored)
        {
            var plain = await kek.UnwrapAsync(new WrappedKey(key.KekId, key.WrappedKey), cancellationToken);
            try
            {
                rewrapped.Add((key.Version, await kek.WrapAsync(plain, cancellationToken)));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }

        await database.InTenantAsync(tenantId, async scope =>
        {
            foreach (var (version, key) in rewrapped)
            {
                await KeyRotationStore.RewrapAsync(scope, version, key);
            }

            await KeyRotationStore.ProgressAsync(scope, rotationId, 0, rewrapped.Count);
            return true;
        }, cancellationToken);
        keyring.Forget(tenantId);
        return rewrapped.Count;
    }

    /// <summary>The businesses whose keys a KEK rotation re-wraps; marks the rotation running.</summary>
    public Task<IReadOnlyList<Guid>> BeginKekRotationAsync(Guid rotationId, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            await KeyRotationStore.BeginAsync(scope, rotationId, null, null, kek.CurrentKeyId, 0, timeProvider.GetUtcNow());
            return await PersonalDataBackfillStore.TenantsAsync(scope);
        }, cancellationToken);

    /// <summary>
    /// The policy's part (the RotateDueDataKeys timer): for every business whose policy's period has passed since its
    /// current data key was made, records a rotation and hands it to <paramref name="start"/> (which starts the
    /// KeyRotation orchestration). A business whose rotation still runs is skipped (409), so firing twice starts one.
    /// </summary>
    public async Task<IReadOnlyList<DueRotation>> StartDueDataKeyRotationsAsync(Func<DueRotation, CancellationToken, Task> start, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var started = new List<DueRotation>();
        foreach (var tenantId in await database.InPlatformAsync(PersonalDataBackfillStore.TenantsAsync, cancellationToken))
        {
            if (!await database.InTenantAsync(tenantId, scope => KeyRotationStore.RotationDueAsync(scope, now), cancellationToken))
            {
                continue;
            }

            var requested = await RequestAsync(DataKey, tenantId, PolicyActor, cancellationToken);
            if (!requested.Succeeded)
            {
                continue;
            }

            var due = new DueRotation(requested.Value, tenantId);
            try
            {
                await start(due, cancellationToken);
                started.Add(due);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await FinishAsync(due.RotationId, "The durable backend did not accept the rotation; the policy's timer starts it again.", cancellationToken);
            }
        }

        return started;
    }

    public async Task FinishAsync(Guid rotationId, string? error, CancellationToken cancellationToken)
    {
        var rotation = await FindAsync(rotationId, cancellationToken);
        await database.InPlatformAsync(async scope =>
        {
            await KeyRotationStore.FinishAsync(scope, rotationId, error is null ? "completed" : "failed", error, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
        if (rotation is not null)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Developer, rotation.TenantId, rotation.RequestedBy, $"privacy.{rotation.Kind}-rotation.{(error is null ? "completed" : "failed")}",
                $"key-rotation:{rotationId}", error is null ? AuditOutcome.Succeeded : AuditOutcome.Failed, RequestOrigin.None,
                new JsonObject { ["rowsDone"] = rotation.RowsDone, ["error"] = error }), cancellationToken);
        }
    }

    private async Task<Result<Guid>> RequestAsync(string kind, Guid? tenantId, string actor, CancellationToken cancellationToken, bool queue = false)
    {
        var id = Guid.CreateVersion7();
        try
        {
            await database.InPlatformAsync(async scope =>
            {
                await KeyRotationStore.InsertAsync(scope, id, kind, tenantId, actor, timeProvider.GetUtcNow());
                if (queue)
                {
                    // The orchestration's input (KeyRotationRun) in its JSON shape.
                    await operations.AddAsync(scope, PlatformWorkKinds.KeyRotation, InstanceIdOf(id), new { RotationId = id, Kind = kind, TenantId = tenantId });
                }

                return true;
            }, cancellationToken);
            return id;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problem.NotFound("The business");
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("A rotation of this business's data key is already running; wait for it to finish.");
        }
    }

    private static byte[]? Reseal(TenantKeys keys, string table, string column, Guid rowId, byte[]? sealedValue, int version) =>
        sealedValue is null || TenantKeys.VersionOf(sealedValue) == version
            ? sealedValue
            : keys.SealWith(version, table, column, rowId, keys.Open(table, column, rowId, sealedValue)!);
}

/// <summary>A data-key rotation the business's policy made due, recorded and to be started.</summary>
public sealed record DueRotation(Guid RotationId, Guid TenantId);
