using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// Hands out a tenant's <see cref="TenantKeys"/>: reads its wrapped keys (creating the first ones on first use),
/// unwraps them through the key-encryption key and keeps them in memory for <see cref="PrivacyOptions.DataKeyCacheLifetime"/>.
/// A data key version that does not unwrap makes only the values sealed with it unreadable; the current one not
/// unwrapping fails every read and write of personal data with <see cref="PersonalDataUnavailableException"/>.
/// </summary>
public sealed class TenantKeyring(StreamFlowDatabase database, IKeyEncryptionKey kek, IOptions<PrivacyOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<Guid, (TenantKeys Keys, DateTimeOffset Expires)> _cache = new();

    public async Task<TenantKeys> ForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var cached) && cached.Expires > now)
        {
            return cached.Keys;
        }

        var keys = await LoadAsync(tenantId, cancellationToken);
        _cache[tenantId] = (keys, now + options.Value.DataKeyCacheLifetime);
        return keys;
    }

    /// <summary>Drops a tenant's cached keys (after a rotation), so the next use unwraps the stored ones again.</summary>
    public void Forget(Guid tenantId) => _cache.TryRemove(tenantId, out _);

    private async Task<TenantKeys> LoadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var (dataKeys, indexKey) = await database.InTenantAsync(tenantId, async scope =>
            (await TenantKeyStore.DataKeysAsync(scope), await TenantKeyStore.IndexKeyAsync(scope)), cancellationToken);
        if (dataKeys.Count == 0 || indexKey is null)
        {
            await CreateFirstKeysAsync(tenantId, cancellationToken);
            (dataKeys, indexKey) = await database.InTenantAsync(tenantId, async scope =>
                (await TenantKeyStore.DataKeysAsync(scope), await TenantKeyStore.IndexKeyAsync(scope)), cancellationToken);
        }

        var unwrapped = new Dictionary<int, byte[]>();
        var unavailable = new Dictionary<int, string>();
        foreach (var key in dataKeys)
        {
            try
            {
                unwrapped[key.Version] = await kek.UnwrapAsync(new WrappedKey(key.KekId, key.WrappedKey), cancellationToken);
            }
            catch (PersonalDataUnavailableException exception)
            {
                unavailable[key.Version] = exception.Message;
            }
        }

        var current = dataKeys.Where(k => k.RetiredAt is null).Select(k => k.Version).DefaultIfEmpty(dataKeys.Max(k => k.Version)).Max();
        if (!unwrapped.ContainsKey(current))
        {
            throw new PersonalDataUnavailableException($"The business's current data key (version {current}) is unavailable: {unavailable[current]}");
        }

        var index = await kek.UnwrapAsync(new WrappedKey(indexKey!.KekId, indexKey.WrappedKey), cancellationToken);
        return new TenantKeys(tenantId, current, unwrapped, unavailable, index);
    }

    private async Task CreateFirstKeysAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var dataKey = await kek.WrapAsync(RandomNumberGenerator.GetBytes(32), cancellationToken);
        var indexKey = await kek.WrapAsync(RandomNumberGenerator.GetBytes(32), cancellationToken);
        await database.InTenantAsync(tenantId, async scope =>
        {
            await TenantKeyStore.InsertFirstKeysAsync(scope, tenantId, dataKey, indexKey, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
    }
}
