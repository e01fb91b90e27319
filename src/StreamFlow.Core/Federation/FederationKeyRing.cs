using StreamFlow.Core.Database;
using StreamFlow.Core.Federation.Signatures;

namespace StreamFlow.Core.Federation;

/// <summary>The registered peer keys, read from the database on each verification so a retirement applies at once.</summary>
internal sealed class FederationKeyRing(StreamFlowDatabase database, FederationSecretProtector protector) : IFederationKeyRing
{
    public async Task<FederationVerificationKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var row = await database.InPlatformAsync(scope => FederationKeyStore.FindAsync(scope, keyId), cancellationToken);
        if (row is null)
        {
            return null;
        }

        var material = row.Algorithm == SignatureAlgorithms.HmacSha256 ? protector.Unprotect(row.Material, row.KeyId) : row.Material;
        return new FederationVerificationKey(row.KeyId, row.Algorithm, material, row.ValidFrom, row.ValidUntil);
    }
}

/// <summary>Spent nonces in PostgreSQL, so that every host behind one database refuses a replay.</summary>
internal sealed class FederationNonceLedger(StreamFlowDatabase database) : INonceLedger
{
    public Task<bool> TryRecordAsync(string keyId, string nonce, DateTimeOffset forgetAfter, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => FederationKeyStore.RecordNonceAsync(scope, keyId, nonce, forgetAfter), cancellationToken);

    public Task<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => FederationKeyStore.PruneNoncesAsync(scope, now), cancellationToken);
}
